"""``--cluster``: the same runs on a Dask cluster (the client here, the tasks on the workers)."""
