"""Documents: adding, finding, listing and changing them with their cases and attributes (`store`), and the
speaker turns found in transcripts (`turns`)."""
