"""Workbooks the system writes: blank templates for the departments, and the demo's samples
(with the demo warehouse built from them)."""
