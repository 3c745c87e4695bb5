"""What every process of the product shares: structured logs without customer data,
HTTP metrics, a clean exit, local ports."""
