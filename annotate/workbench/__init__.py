"""The expert's pages: projects, the task page, submitting and moving on."""
