"""The FastTrack team's board: every open engagement's deadline, risks and next step,
one engagement's record and timeline, and the trends, read from Temporal's visibility
and the benefit register. It reads only: acting stays with the command line, the intake
and the customer's page."""
