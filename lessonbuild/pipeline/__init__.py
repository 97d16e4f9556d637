"""The build, stage after stage: read -> render -> execute -> figures -> publish -> site (or kaggle).

Each stage takes the values of the one before it and returns its own; `build` composes them, and
`prepare` runs the first two for every command that needs the lessons as notebooks.
"""
