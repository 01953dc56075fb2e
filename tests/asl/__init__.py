"""Tests of sfnkit.asl: paths, intrinsics, payload templates and Choice rules."""
