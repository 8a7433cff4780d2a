# Review models arrive with the reviews issue.
