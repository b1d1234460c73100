"""Child-process jobs and the run store; imports torch only inside the child."""
