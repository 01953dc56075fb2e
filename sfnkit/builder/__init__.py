"""The parts of ``sfnkit.build``: passes (place, name, emit), fields (values in the state's query language),
lambda_tasks (a ``@lambda_fn`` step's Task).
"""
