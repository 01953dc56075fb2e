"""Sleeps for a minute, then returns its input event unchanged (for timeout cases)."""

import time


def handler(event, context=None):
    time.sleep(60)
    return event
