"""The operators' command line: `fasttrack`."""
