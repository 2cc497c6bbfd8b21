"""The case view's handlers, one module per stage of the process (the same names as in
`events/`, `aggregates/` and `commands/`); `projections.case_view_projection` folds with them."""
