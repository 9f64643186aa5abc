# Benchmark targets; each module's owner adds its own lines here.
