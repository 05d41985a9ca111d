"""What the driving adapters (command line, web UI) both show: graph pictures, durations."""
