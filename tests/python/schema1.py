# Session files as the Python scope-profiler package writes them (schema 1):
# /metadata attributes and /rank<N>/regions/<name>/{start_times,end_times},
# int64 ns, chunked and resizable; a name with '/' becomes nested groups.
# Shared by the plotting and pproc tests (imported from the test directory).

import h5py
import numpy as np


def write_schema1(path, ranks, metadata):
    """ranks: {rank: {name: (starts, ends)}} -> a schema-1 file at path."""
    with h5py.File(path, 'w') as f:
        meta = f.create_group('metadata')
        for key, value in metadata.items():
            meta.attrs[key] = value
        for rank, regions in ranks.items():
            group = f.create_group('rank%d' % rank)
            for name, (starts, ends) in regions.items():
                region = group.require_group('regions/' + name)
                for column, values in (('start_times', starts), ('end_times', ends)):
                    region.create_dataset(column, data=np.asarray(values, dtype=np.int64),
                                          maxshape=(None,), chunks=(1024,))
    return str(path)
