"""The process clock's folds, one module per part of the process that sets deadlines."""
