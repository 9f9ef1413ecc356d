# plotting_scripts.py: Gantt, flame, duration and speedup plots of sessions
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Plots of profiling sessions, as in the Python scope-profiler package.

Every function takes one :class:`~scope_profiler.h5reader.ProfilingH5Reader`
or a sequence of them::

    from scope_profiler.h5reader import ProfilingH5Reader
    from scope_profiler.plotting_scripts import plot_gantt, plot_durations

    run = ProfilingH5Reader("profiling_data.h5")
    plot_gantt(run, filepath="gantt.png")
    plot_durations(run, metrics=["avg", "total"], filepath="durations.png")

The figures are drawn with matplotlib (Debian: ``python3-matplotlib``).
Unless ``show=True``, they are drawn off-screen on matplotlib's Agg canvas,
so no display is needed and the pyplot backend of the caller is left alone.
``data_filepath`` writes the numbers behind a plot as CSV or JSON.

Statistics (counts, mean, min, max, std, total) are the library's, through
:meth:`MPIRegion._statistics`; nothing here recomputes them.
"""

import csv
import json
import math
import os
import warnings
from pathlib import Path

import numpy as np

from .h5reader import ProfilingH5Reader

__all__ = [
    'DEFAULT_CMAP',
    'collect_region_statistics',
    'plot_durations',
    'plot_flame',
    'plot_gantt',
    'plot_speedup',
    'write_region_statistics_json',
]

DEFAULT_CMAP = 'tab20'

_NS_PER_S = 1e9
_DPI = 150
# Keep the tallest figure well below Agg's 2^16-pixel limit.
_MAX_FIGURE_HEIGHT = 80.0
_BACKENDS = ('matplotlib', 'plotly')
_DATA_FORMATS = ('csv', 'json')

_DURATION_METRICS = {
    # metric: (statistic of MPIRegion._statistics(), axis label)
    'avg': ('mean', 'Average duration per call (seconds)'),
    'min': ('min', 'Minimum duration per call (seconds)'),
    'max': ('max', 'Maximum duration per call (seconds)'),
    'total': ('total', 'Total duration (seconds)'),
}

_SCALING_X_FIELDS = ('num_ranks', 'omp_num_threads', 'total_cores')
_X_LABELS = {
    'num_ranks': 'MPI ranks',
    'omp_num_threads': 'OpenMP threads',
    'total_cores': 'MPI ranks \u00d7 OpenMP threads',
}


# ----------------------------------------------------------------------
# Drawing back-ends


def _require_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            'plotting needs matplotlib: install python3-matplotlib (Debian, '
            'Ubuntu) or "pip install matplotlib"') from exc


def _check_options(backend, data_format):
    if backend not in _BACKENDS:
        raise ValueError('Unknown backend %r. Valid options are: %s'
                         % (backend, list(_BACKENDS)))
    if data_format not in _DATA_FORMATS:
        raise ValueError('Unknown data format %r. Valid options are: %s'
                         % (data_format, list(_DATA_FORMATS)))


def _require_plotly():
    try:
        import plotly.graph_objects as go
    except ImportError as exc:
        raise ImportError(
            'the plotly backend needs plotly: install python3-plotly (Debian, '
            'Ubuntu) or "pip install plotly", or use backend="matplotlib"') from exc
    return go


class _Canvas:
    """One figure of stacked panels, drawn by matplotlib or plotly.

    Only what the four plots need: horizontal bar segments (Gantt, flame),
    grouped bars (durations) and lines (speedup).
    """

    def __init__(self, backend, nrows, height, width=12.0, show=False, title=None):
        self.backend = backend
        self.show = show
        height = min(max(height, 2.0), _MAX_FIGURE_HEIGHT)
        if backend == 'plotly':
            go = _require_plotly()
            from plotly.subplots import make_subplots
            self._go = go
            self.fig = make_subplots(rows=nrows, cols=1)
            self.fig.update_layout(width=int(width * 80), height=int(height * 80),
                                   barmode='overlay', title=title)
            return
        if show:
            import matplotlib.pyplot as plt
            self.fig = plt.figure(figsize=(width, height))
        else:
            # Off-screen: a Figure on the Agg canvas, whatever backend
            # pyplot uses (or would pick) in this process.
            from matplotlib.figure import Figure
            self.fig = Figure(figsize=(width, height))
        self.axes = list(self.fig.subplots(nrows, 1, squeeze=False)[:, 0])
        if title and nrows > 1:
            self.fig.suptitle(title)
        elif title:
            self.axes[0].set_title(title)

    def hbars(self, row, y, starts, widths, colors, labels=None, height=0.8,
              edgecolor='black', alpha=0.8):
        """Bars from starts to starts + widths on lane(s) y (scalar or
        array), coloured colors (a colour, or a palette and an index array
        into it); labels: the bars' name, or one per palette colour."""
        starts = np.asarray(starts, dtype=float)
        widths = np.asarray(widths, dtype=float)
        if not starts.size:
            return
        if isinstance(colors, str):
            palette, color_index = [colors], np.zeros(starts.size, dtype=np.intp)
            names = [labels] * starts.size if isinstance(labels, str) else None
        else:
            palette, color_index = colors
            names = None if labels is None else [labels[i] for i in color_index.tolist()]
        if self.backend == 'plotly':
            ys = np.broadcast_to(np.asarray(y), starts.shape)
            colors = [palette[i] for i in color_index.tolist()]
            labels = names or ([''] * starts.size)
            self.fig.add_trace(self._go.Bar(
                base=starts, x=widths, y=ys, orientation='h', width=height,
                marker=dict(color=colors, line=dict(color=edgecolor, width=0.5)),
                opacity=alpha, hovertext=labels, showlegend=False), row=row + 1, col=1)
            return
        ax = self.axes[row]
        from matplotlib.patches import PathPatch
        from matplotlib.path import Path

        ys = np.broadcast_to(np.asarray(y, dtype=float), starts.shape)
        # One compound path per (lane, colour), its vertices computed by
        # numpy: an artist or a Path per bar is far too slow for 10^5 calls.
        lanes, lane_index = np.unique(ys, return_inverse=True)
        group = lane_index * len(palette) + color_index
        order = np.argsort(group, kind='stable')
        bounds = np.flatnonzero(np.diff(group[order])) + 1
        for pick in np.split(order, bounds):
            x0 = starts[pick]
            x1 = x0 + widths[pick]
            y0 = ys[pick] - height / 2
            y1 = ys[pick] + height / 2
            verts = np.stack([np.column_stack((x0, y0)), np.column_stack((x0, y1)),
                              np.column_stack((x1, y1)), np.column_stack((x1, y0)),
                              np.column_stack((x0, y0))], axis=1).reshape(-1, 2)
            codes = np.full((pick.size, 5), Path.LINETO, dtype=Path.code_type)
            codes[:, 0] = Path.MOVETO
            codes[:, 4] = Path.CLOSEPOLY
            many = pick.size > 2000
            # add_artist(), not add_patch(): that one walks every segment
            # for the data limits, which we know.
            ax.add_artist(PathPatch(Path(verts, codes.reshape(-1)),
                                    facecolor=palette[color_index[pick[0]]],
                                    edgecolor='none' if many else edgecolor,
                                    linewidth=0.3, alpha=alpha))
        ax.update_datalim([(starts.min(), ys.min() - height / 2),
                           ((starts + widths).max(), ys.max() + height / 2)])
        ax.autoscale_view()

    def bars(self, row, x, values, width, color, label):
        if self.backend == 'plotly':
            self.fig.add_trace(self._go.Bar(x=list(x), y=list(values), name=label,
                                            marker=dict(color=color)), row=row + 1, col=1)
            self.fig.update_layout(barmode='group')
            return
        self.axes[row].bar(x, values, width=width, label=label, color=color,
                           edgecolor='black', alpha=0.8)

    def line(self, row, x, y, color, label, dashed=False, marker='o'):
        if self.backend == 'plotly':
            self.fig.add_trace(self._go.Scatter(
                x=list(x), y=list(y), name=label, mode='lines' if dashed else 'lines+markers',
                line=dict(color=color, dash='dash' if dashed else None)), row=row + 1, col=1)
            return
        self.axes[row].plot(x, y, color=color, label=label,
                            linestyle='--' if dashed else '-',
                            marker=None if dashed else marker, linewidth=1.5 if dashed else 1.8)

    def axis(self, row, xlabel=None, ylabel=None, title=None, yticks=None,
             yticklabels=None, xticks=None, xticklabels=None, grid='x',
             legend=False, invert_y=False):
        if self.backend == 'plotly':
            if xlabel:
                self.fig.update_xaxes(title_text=xlabel, row=row + 1, col=1)
            if ylabel:
                self.fig.update_yaxes(title_text=ylabel, row=row + 1, col=1)
            if yticks is not None:
                self.fig.update_yaxes(tickvals=list(yticks), ticktext=list(yticklabels),
                                      row=row + 1, col=1)
            if xticks is not None:
                self.fig.update_xaxes(tickvals=list(xticks),
                                      ticktext=[str(t) for t in (xticklabels or xticks)],
                                      row=row + 1, col=1)
            if invert_y:
                self.fig.update_yaxes(autorange='reversed', row=row + 1, col=1)
            if title:
                suffix = '' if row == 0 else str(row + 1)
                self.fig.add_annotation(text=title, showarrow=False, x=0.5, y=1.0,
                                        xref='x%s domain' % suffix, yref='y%s domain' % suffix,
                                        xanchor='center', yanchor='bottom')
            return
        ax = self.axes[row]
        if xlabel:
            ax.set_xlabel(xlabel)
        if ylabel:
            ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        if yticks is not None:
            ax.set_yticks(yticks)
            # Lanes fill the panel: no 5 % margin, which is many empty
            # lanes in a tall chart.
            ax.set_ylim(min(yticks) - 0.6, max(yticks) + 0.6)
            # Labels shrink when the figure, at its tallest, holds more
            # lanes than fit at the default size.
            lane_inches = ax.get_position().height * self.fig.get_figheight() / max(len(yticks), 1)
            ax.set_yticklabels(yticklabels, fontsize=min(10.0, max(2.0, lane_inches * 72 * 0.8)))
        if xticks is not None:
            ax.set_xticks(xticks)
            if xticklabels is not None:
                ax.set_xticklabels(xticklabels, rotation=45 if len(xticks) > 1 else 0,
                                   ha='right' if len(xticks) > 1 else 'center')
        if grid:
            ax.grid(True, axis=grid, linestyle='--', alpha=0.5)
        if legend:
            ax.legend(frameon=False)
        if invert_y:
            ax.invert_yaxis()

    def text(self, row, x, y, label):
        if self.backend == 'plotly':
            return
        self.axes[row].text(x, y, label, ha='center', va='center', fontsize=7, clip_on=True)

    def finish(self, filepath):
        """Save to filepath (if any), show (if asked), release the figure."""
        if self.backend == 'plotly':
            if filepath:
                _make_parent(filepath)
                if str(filepath).lower().endswith('.html'):
                    self.fig.write_html(str(filepath))
                else:
                    try:
                        self.fig.write_image(str(filepath))
                    except Exception as exc:
                        raise RuntimeError(
                            'plotly could not write the image %s (it needs kaleido): %s'
                            % (filepath, exc)) from exc
            if self.show:
                self.fig.show()
            return
        # Very many lanes may not fit; the figure is still worth having.
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', UserWarning)
            try:
                self.fig.tight_layout()
            except (ValueError, RuntimeError):
                pass
        if filepath:
            _make_parent(filepath)
            self.fig.savefig(filepath, dpi=_DPI)
        if self.show:
            import matplotlib.pyplot as plt
            plt.show()
            plt.close(self.fig)


# ----------------------------------------------------------------------
# Helpers


def _make_parent(filepath):
    parent = Path(filepath).parent
    parent.mkdir(parents=True, exist_ok=True)


def _plain(value):
    """A JSON-serialisable Python value for a NumPy scalar or bytes."""
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    if isinstance(value, np.generic):
        return value.item()
    return value


def _json_float(value):
    """float, with NaN as null (JSON has no NaN)."""
    value = float(value)
    return None if math.isnan(value) else value


def _write_csv(filepath, header, rows):
    _make_parent(filepath)
    with open(filepath, 'w', newline='', encoding='utf-8') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


class _Items:
    """A JSON list written item by item (one call per item, not a list
    of them all in memory)."""

    def __init__(self, iterable):
        self.iterable = iterable


def _write_json(filepath, payload):
    """payload as ``json.dump(payload, indent=2)`` writes it, and a newline;
    values that are :class:`_Items` are streamed."""
    _make_parent(filepath)
    with open(filepath, 'w', encoding='utf-8') as f:
        if not any(isinstance(value, _Items) for value in payload.values()):
            json.dump(payload, f, indent=2)
            f.write('\n')
            return
        f.write('{')
        for n, (key, value) in enumerate(payload.items()):
            f.write(',\n  ' if n else '\n  ')
            f.write(json.dumps(key) + ': ')
            if isinstance(value, _Items):
                count = 0
                for item in value.iterable:
                    f.write(',\n    ' if count else '[\n    ')
                    f.write(json.dumps(item, indent=2).replace('\n', '\n    '))
                    count += 1
                f.write('\n  ]' if count else '[]')
            else:
                f.write(json.dumps(value, indent=2).replace('\n', '\n  '))
        f.write('\n}\n')


def _as_readers(profiling_data):
    if isinstance(profiling_data, ProfilingH5Reader):
        return [profiling_data]
    return list(profiling_data)


def _unique_labels(labels):
    seen = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else '%s (%d)' % (label, seen[label]))
    return result


def _file_labels(readers):
    return _unique_labels([Path(reader.file_path).stem for reader in readers])


def _normalize_ranks(ranks):
    if ranks is None:
        return None
    if isinstance(ranks, (int, np.integer)):
        return [int(ranks)]
    return [int(rank) for rank in ranks]


def _cmap_colors(cmap, n):
    """n '#rrggbb' colours sampled evenly from the colormap cmap."""
    import matplotlib
    from matplotlib.colors import to_hex

    if n <= 0:
        return []
    try:
        colormap = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    except KeyError:
        raise ValueError('Unknown colormap %r' % (cmap,)) from None
    return [to_hex(c, keep_alpha=False) for c in colormap(np.linspace(0, 1, n))]


def _region_color_map(names, cmap):
    names = sorted(set(names))
    return dict(zip(names, _cmap_colors(cmap, len(names))))


def _present_ranks(region, ranks):
    """The ranks of region among ranks (all of its ranks when None)."""
    if ranks is None:
        return sorted(region.regions)
    return [rank for rank in ranks if rank in region.regions]


def _statistics(region, ranks):
    """The library's statistics of region pooled over ranks (ns), or None
    when no selected rank has a call."""
    present = _present_ranks(region, ranks)
    if not present:
        return None
    stats = region._statistics(present)
    if not stats or int(stats['count']) == 0:
        return None
    return stats


_STAT_KEYS = (
    ('average_duration_seconds', 'mean'),
    ('min_duration_seconds', 'min'),
    ('max_duration_seconds', 'max'),
    ('std_duration_seconds', 'std'),
    ('total_duration_seconds', 'total'),
)


def _stats_payload(stats):
    if stats is None:
        payload = {'count': 0}
        payload.update((key, None) for key, _ in _STAT_KEYS)
        return payload
    payload = {'count': int(stats['count'])}
    payload.update((key, float(stats[name]) / _NS_PER_S) for key, name in _STAT_KEYS)
    return payload


def _common_region_names(readers, include=None, exclude=None):
    """Names of regions matched in every reader, in the first one's order."""
    per_reader = [reader.get_regions(include=include, exclude=exclude) for reader in readers]
    if not per_reader or not per_reader[0]:
        return []
    others = [{region.name for region in regions} for regions in per_reader[1:]]
    return [region.name for region in per_reader[0]
            if all(region.name in names for names in others)]


def _seconds(ns_array):
    return np.asarray(ns_array, dtype=np.float64) / _NS_PER_S


# ----------------------------------------------------------------------
# Statistics


def collect_region_statistics(profiling_data, ranks=None, include=None, exclude=None,
                              labels=None):
    """Duration statistics (seconds) of each file's regions.

    Returns ``{units, filters, common_regions, files}``; each file has
    ``label``, ``file_path`` (absolute), ``num_ranks`` and
    ``region_statistics``: per region ``count``, ``average_``, ``min_``,
    ``max_``, ``std_`` and ``total_duration_seconds`` pooled over the
    selected ranks, and the same per rank under ``per_rank``. A region
    without calls has count 0 and nulls.
    """
    readers = _as_readers(profiling_data)
    if not readers:
        raise ValueError('No profiling data provided.')
    selected = _normalize_ranks(ranks)
    labels = _file_labels(readers) if labels is None else list(labels)
    if len(labels) != len(readers):
        raise ValueError('labels must match the number of profiling files.')

    files = []
    for label, reader in zip(labels, readers):
        statistics = {}
        for region in reader.get_regions(include=include, exclude=exclude):
            per_rank = {str(rank): _stats_payload(_statistics(region, [rank]))
                        for rank in _present_ranks(region, selected)}
            entry = _stats_payload(_statistics(region, selected))
            entry['per_rank'] = per_rank
            statistics[region.name] = entry
        files.append({
            'label': label,
            'file_path': str(Path(reader.file_path).resolve()),
            'num_ranks': int(reader.num_ranks),
            'region_statistics': statistics,
        })

    if len(readers) > 1:
        common = _common_region_names(readers, include=include, exclude=exclude)
    else:
        common = list(files[0]['region_statistics'])

    return {
        'units': {'durations': 'seconds'},
        'filters': {'include': include, 'exclude': exclude, 'ranks': selected},
        'common_regions': common,
        'files': files,
    }


def write_region_statistics_json(profiling_data, filepath, ranks=None, include=None,
                                 exclude=None, labels=None):
    """Write :func:`collect_region_statistics` to filepath as JSON; return it."""
    payload = collect_region_statistics(profiling_data, ranks=ranks, include=include,
                                        exclude=exclude, labels=labels)
    _write_json(filepath, payload)
    return payload


# ----------------------------------------------------------------------
# Gantt


def plot_gantt(profiling_data, ranks=None, include=None, exclude=None, filepath=None,
               show=False, verbose=True, cmap=DEFAULT_CMAP, data_filepath=None,
               data_format='csv', backend='matplotlib'):
    """Every call of the selected regions on a timeline, one lane per
    ``<region> (rank <r>)`` and one panel per file.

    Times are seconds since the file's earliest call. ``ranks`` defaults to
    all ranks of each file; a selected region missing on a selected rank is
    a :class:`KeyError`. Data columns: ``file,rank,region,start_seconds,
    end_seconds``; JSON ``{"intervals": [...], "colors": {region: colour}}``.
    """
    _require_matplotlib()
    _check_options(backend, data_format)
    readers = _as_readers(profiling_data)
    if not readers:
        raise ValueError('No profiling data provided.')
    requested = _normalize_ranks(ranks)

    prepared = []
    for reader in readers:
        regions = reader.get_regions(include=include, exclude=exclude)
        if not regions:
            raise ValueError('No regions matched the selected filters.')
        if requested is None:
            selected = list(range(reader.num_ranks))
        else:
            invalid = [r for r in requested if r < 0 or r >= reader.num_ranks]
            if invalid:
                raise ValueError('Invalid ranks requested: %s' % invalid)
            selected = requested
        lanes = []
        t0 = float(reader.minimum_start_time)
        for region in regions:
            for rank in selected:
                try:
                    data = region[rank]
                except KeyError:
                    raise KeyError('region %r has no data on rank %d of %s'
                                   % (region.name, rank, reader.file_path)) from None
                lanes.append((region, rank, _seconds(data.start_times) - t0,
                              _seconds(data.end_times) - t0))
        prepared.append((reader, regions, selected, lanes))

    if not any(lane[2].size for _, _, _, lanes in prepared for lane in lanes):
        raise ValueError('No calls recorded for the selected regions and ranks.')

    colors = _region_color_map((r.name for _, regions, _, _ in prepared for r in regions), cmap)
    for _, regions, _, _ in prepared:
        for region in regions:
            region.color = colors[region.name]

    labels = _file_labels(readers)
    if data_filepath:
        if data_format == 'json':
            intervals = _Items(
                {'file': label, 'rank': int(rank), 'region': region.name,
                 'start_seconds': start, 'end_seconds': end}
                for label, (_, _, _, lanes) in zip(labels, prepared)
                for region, rank, starts, ends in lanes
                for start, end in zip(starts.tolist(), ends.tolist()))
            _write_json(data_filepath, {'intervals': intervals,
                                        'colors': {n: colors[n] for n in
                                                   dict.fromkeys(r.name for _, regs, _, _ in prepared
                                                                 for r in regs)}})
        else:
            rows = (
                (label, int(rank), region.name, start, end)
                for label, (_, _, _, lanes) in zip(labels, prepared)
                for region, rank, starts, ends in lanes
                for start, end in zip(starts.tolist(), ends.tolist()))
            _write_csv(data_filepath, ['file', 'rank', 'region', 'start_seconds', 'end_seconds'],
                       rows)

    if verbose:
        if len(prepared) == 1:
            print('Plotting Gantt chart for ranks: %s' % prepared[0][2])
        else:
            print('Plotting combined Gantt chart for files: %s' % ', '.join(labels))

    if not filepath and not show:
        return None

    heights = [max(2.5, 0.35 * len(lanes) + 1.2) for _, _, _, lanes in prepared]
    title = 'Profiling Gantt Chart' if len(prepared) == 1 else 'Combined Profiling Gantt Chart'
    canvas = _Canvas(backend, len(prepared), sum(heights), show=show, title=title)
    for row, (label, (_, _, _, lanes)) in enumerate(zip(labels, prepared)):
        for y, (region, rank, starts, ends) in enumerate(lanes):
            canvas.hbars(row, y, starts, ends - starts, region.color, labels=region.name,
                         height=0.9)
        canvas.axis(row, xlabel='Time (seconds)',
                    title=label if len(prepared) > 1 else None,
                    yticks=list(range(len(lanes))),
                    yticklabels=['%s (rank %d)' % (region.name, rank)
                                 for region, rank, _, _ in lanes],
                    invert_y=True)
    canvas.finish(filepath)
    return None


# ----------------------------------------------------------------------
# Flame


class _CallStack:
    """The calls of some regions on one rank, nested: numpy arrays in
    (start, -end) order. ``owner`` indexes ``regions``; ``parent`` is -1
    for a top-level call."""

    def __init__(self, regions, rank):
        self.regions = []
        starts = []
        ends = []
        owner = []
        for region in regions:
            data = region.regions.get(rank)
            if data is None or not len(data.start_times):
                continue
            starts.append(np.asarray(data.start_times, dtype=np.int64))
            ends.append(np.asarray(data.end_times, dtype=np.int64))
            owner.append(np.full(len(data.start_times), len(self.regions), dtype=np.intp))
            self.regions.append(region)
        if not starts:
            starts = ends = [np.empty(0, dtype=np.int64)]
            owner = [np.empty(0, dtype=np.intp)]
        starts = np.concatenate(starts)
        ends = np.concatenate(ends)
        order = np.lexsort((-ends, starts))
        self.starts = starts[order]
        self.ends = ends[order]
        self.owner = np.concatenate(owner)[order]

        # The nesting is a stack walk, sequential by nature; on the file's
        # integer nanoseconds.
        depth = [0] * len(order)
        parent = [-1] * len(order)
        stack = []
        stack_ends = []
        for i, (start, end) in enumerate(zip(self.starts.tolist(), self.ends.tolist())):
            while stack_ends and stack_ends[-1] <= start:
                stack.pop()
                stack_ends.pop()
            depth[i] = len(stack)
            if stack:
                parent[i] = stack[-1]
            stack.append(i)
            stack_ends.append(end)
        self.depth = np.array(depth, dtype=np.intp)
        self.parent = np.array(parent, dtype=np.intp)

    def __len__(self):
        return len(self.starts)


def _build_call_stack_intervals(regions, rank):
    """The calls of regions on rank with their nesting.

    A list of ``{name, start, end, color, depth, parent}`` (start and end
    in absolute seconds; parent is the index of the enclosing call in the
    list, or None), sorted by (start, -end). A call is nested in the
    innermost open call whose end is after its start.
    """
    stack = _CallStack(regions, rank)
    names = [region.name for region in stack.regions]
    colors = [region.color for region in stack.regions]
    return [{'name': names[o], 'start': s, 'end': e, 'color': colors[o], 'depth': d,
             'parent': None if p < 0 else p}
            for o, s, e, d, p in zip(stack.owner.tolist(), _seconds(stack.starts).tolist(),
                                     _seconds(stack.ends).tolist(), stack.depth.tolist(),
                                     stack.parent.tolist())]


def plot_flame(profiling_data, ranks=None, include=None, exclude=None, filepath=None,
               show=False, verbose=True, cmap=DEFAULT_CMAP, data_filepath=None,
               data_format='csv', backend='matplotlib'):
    """The calls of one rank (default rank 0) stacked by nesting depth,
    one panel per (file, rank).

    Data columns: ``file,rank,region,depth,start_seconds,end_seconds``
    (absolute seconds); JSON ``{"calls": [...], "colors": {region: colour}}``.
    """
    _require_matplotlib()
    _check_options(backend, data_format)
    readers = _as_readers(profiling_data)
    if not readers:
        raise ValueError('No profiling data provided.')
    selected = _normalize_ranks(ranks) if ranks is not None else [0]

    reader_regions = []
    for reader in readers:
        regions = reader.get_regions(include=include, exclude=exclude)
        if not regions:
            raise ValueError('No regions matched the selected filters.')
        reader_regions.append((reader, regions))

    colors = _region_color_map((r.name for _, regions in reader_regions for r in regions), cmap)
    for _, regions in reader_regions:
        for region in regions:
            region.color = colors[region.name]

    labels = _file_labels(readers)
    prepared = []
    for label, (reader, regions) in zip(labels, reader_regions):
        for rank in selected:
            if rank < 0 or rank >= reader.num_ranks:
                raise ValueError('Invalid rank requested: %d' % rank)
            stack = _CallStack(regions, rank)
            if len(stack):
                prepared.append((label, rank, stack))
    if not prepared:
        raise ValueError('No calls recorded for the requested ranks.')

    if data_filepath:
        def records():
            for label, rank, stack in prepared:
                names = [region.name for region in stack.regions]
                for o, d, s, e in zip(stack.owner.tolist(), stack.depth.tolist(),
                                      _seconds(stack.starts).tolist(),
                                      _seconds(stack.ends).tolist()):
                    yield (label, int(rank), names[o], d, s, e)

        header = ('file', 'rank', 'region', 'depth', 'start_seconds', 'end_seconds')
        if data_format == 'json':
            used = dict.fromkeys(region.name for _, _, stack in prepared
                                 for region in stack.regions)
            _write_json(data_filepath, {'calls': _Items(dict(zip(header, r)) for r in records()),
                                        'colors': {n: colors[n] for n in used}})
        else:
            _write_csv(data_filepath, header, records())

    if verbose:
        print('Plotting flame graph for: %s'
              % ', '.join('%s (rank %d)' % (label, rank) for label, rank, _ in prepared))

    if not filepath and not show:
        return None

    heights = [max(2.0, 0.6 * (int(stack.depth.max()) + 1) + 1.2) for _, _, stack in prepared]
    canvas = _Canvas(backend, len(prepared), sum(heights), show=show,
                     title='Flame Graphs' if len(prepared) > 1 else None)
    for row, (label, rank, stack) in enumerate(prepared):
        names = [region.name for region in stack.regions]
        starts = (stack.starts - stack.starts[0]) / _NS_PER_S
        widths = (stack.ends - stack.starts) / _NS_PER_S
        canvas.hbars(row, stack.depth, starts, widths,
                     ([region.color for region in stack.regions], stack.owner),
                     labels=names, height=0.95)
        # Names on the widest bars, where they fit.
        span = float((starts + widths).max()) or 1.0
        for i in np.argsort(-widths, kind='stable')[:60]:
            if widths[i] < 0.08 * span:
                break
            canvas.text(row, starts[i] + widths[i] / 2, stack.depth[i], names[stack.owner[i]])
        max_depth = int(stack.depth.max())
        canvas.axis(row, xlabel='Time since first call (seconds)', ylabel='Call depth',
                    title='%s (rank %d)' % (label, rank),
                    yticks=list(range(max_depth + 1)),
                    yticklabels=[str(d) for d in range(max_depth + 1)])
    canvas.finish(filepath)
    return None


# ----------------------------------------------------------------------
# Durations


def _metric_filepath(filepath, metric, single):
    if single:
        return str(filepath)
    base, ext = os.path.splitext(str(filepath))
    return '%s_%s%s' % (base, metric, ext)


def plot_durations(profiling_data, ranks=None, include=None, exclude=None, labels=None,
                   metrics=None, filepath=None, show=False, verbose=True, cmap=DEFAULT_CMAP,
                   data_filepath=None, data_format='csv', backend='matplotlib'):
    """Bars of a duration statistic per region, one bar per file, for the
    regions common to all files (in the first file's order).

    ``metrics``: ``avg``, ``min``, ``max``, ``total`` (default all, in this
    order), pooled over the selected ranks (ranks a region lacks are
    ignored). One figure per metric: with more than one, each goes to
    ``<base>_<metric><ext>``; with exactly one, to ``filepath`` itself.
    Returns the paths written. Data columns: ``file,region,metric,
    value_seconds`` (NaN without calls); JSON ``{"bars", "colors", "metrics"}``.
    """
    _require_matplotlib()
    _check_options(backend, data_format)
    readers = _as_readers(profiling_data)
    if not readers:
        raise ValueError('No profiling data provided.')
    selected = _normalize_ranks(ranks)

    if metrics is None:
        metric_keys = list(_DURATION_METRICS)
    elif isinstance(metrics, str):
        metric_keys = [metrics]
    else:
        metric_keys = list(dict.fromkeys(metrics))
    unknown = [m for m in metric_keys if m not in _DURATION_METRICS]
    if unknown or not metric_keys:
        raise ValueError('Unknown metric(s) %s. Valid options are: %s'
                         % (unknown, list(_DURATION_METRICS)))

    labels = _file_labels(readers) if labels is None else list(labels)
    if len(labels) != len(readers):
        raise ValueError('labels must match the number of profiling files.')

    region_names = _common_region_names(readers, include=include, exclude=exclude)
    if not region_names:
        raise ValueError('No regions matched the selected filters.')

    if verbose:
        print('Plotting duration comparison (%s) for files: %s'
              % (', '.join(metric_keys), ', '.join(labels)))

    # One library call per (file, region); every metric comes from it.
    stats = [[_statistics(reader.get_region(name), selected) for name in region_names]
             for reader in readers]

    def value(s, metric):
        if s is None:
            return float('nan')
        return float(s[_DURATION_METRICS[metric][0]]) / _NS_PER_S

    file_colors = _cmap_colors(cmap, len(readers))
    rows = [(label, name, metric, value(s, metric))
            for metric in metric_keys
            for label, file_stats in zip(labels, stats)
            for name, s in zip(region_names, file_stats)]

    if data_filepath:
        if data_format == 'json':
            bars = [{'file': f, 'region': r, 'metric': m, 'value_seconds': _json_float(v)}
                    for f, r, m, v in rows]
            _write_json(data_filepath, {'bars': bars,
                                        'colors': dict(zip(labels, file_colors)),
                                        'metrics': metric_keys})
        else:
            _write_csv(data_filepath, ['file', 'region', 'metric', 'value_seconds'], rows)

    written = []
    if not filepath and not show:
        return written

    n = len(readers)
    width = min(0.8 / n, 0.35)
    x = np.arange(len(region_names))
    for metric in metric_keys:
        canvas = _Canvas(backend, 1, max(4.5, 2.5 + 0.35 * n),
                         width=max(10.0, 0.85 * len(region_names) + 2), show=show,
                         title='Region duration comparison (%s)' % metric)
        for i, (label, file_stats) in enumerate(zip(labels, stats)):
            values = [value(s, metric) for s in file_stats]
            offsets = x - 0.5 * width * (n - 1) + i * width
            canvas.bars(0, offsets if backend == 'matplotlib' else region_names, values,
                        width, file_colors[i], label if n > 1 else None)
        canvas.axis(0, ylabel=_DURATION_METRICS[metric][1], xticks=list(x),
                    xticklabels=region_names, grid='y', legend=n > 1)
        path = _metric_filepath(filepath, metric, len(metric_keys) == 1) if filepath else None
        canvas.finish(path)
        if path:
            written.append(path)
    return written


# ----------------------------------------------------------------------
# Speedup


def _number(value):
    value = _plain(value)
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def _speedup_x_value(reader, x_field):
    metadata = reader.metadata or {}
    if x_field == 'num_ranks':
        return int(reader.num_ranks)
    if x_field in ('omp_num_threads', 'total_cores'):
        threads = metadata.get('omp_num_threads')
        if threads is None:
            raise ValueError("'omp_num_threads' not found in metadata for %s"
                             % reader.file_path)
        threads = _number(threads)
        return threads if x_field == 'omp_num_threads' else int(reader.num_ranks) * threads
    if x_field not in metadata:
        raise ValueError('Metadata field %r not found for %s. Available fields: %s'
                         % (x_field, reader.file_path, sorted(metadata)))
    return _plain(metadata[x_field])


def plot_speedup(profiling_data, x_field='num_ranks', ranks=None, include=None, exclude=None,
                 filepath=None, show=False, verbose=True, cmap=DEFAULT_CMAP,
                 data_filepath=None, data_format='csv', backend='matplotlib'):
    """Speedup of each common region over two or more files.

    x: ``num_ranks``, ``omp_num_threads`` or ``total_cores`` (sorted, with
    a dashed ideal-scaling line), or any other metadata field (categories
    in file order). Each file contributes its mean per-call duration pooled
    over the selected ranks; files with equal x are averaged; speedup =
    baseline / mean, the baseline being the first x. Data columns:
    ``region,<x_field>,speedup``; JSON ``{"points", "colors"}``.
    """
    _require_matplotlib()
    _check_options(backend, data_format)
    readers = _as_readers(profiling_data)
    if len(readers) < 2:
        raise ValueError('Speedup plot requires at least two profiling files.')
    selected = _normalize_ranks(ranks)

    region_names = _common_region_names(readers, include=include, exclude=exclude)
    if not region_names:
        raise ValueError('No regions matched the selected filters.')

    scaling = x_field in _SCALING_X_FIELDS
    x_values = [_speedup_x_value(reader, x_field) for reader in readers]
    if scaling:
        x_keys = sorted(set(x_values))
    else:
        x_keys = list(dict.fromkeys(x_values))

    if verbose:
        print('Plotting speedup comparison using x_field=%r, values: %s'
              % (x_field, ', '.join(map(str, x_keys))))

    samples = {name: {} for name in region_names}
    for reader, x in zip(readers, x_values):
        for name in region_names:
            s = _statistics(reader.get_region(name), selected)
            mean = float(s['mean']) / _NS_PER_S if s is not None else float('nan')
            if math.isfinite(mean) and mean > 0:
                samples[name].setdefault(x, []).append(mean)

    baseline_key = x_keys[0]
    region_colors = _cmap_colors(cmap, len(region_names))
    series = []
    for name, color in zip(region_names, region_colors):
        by_x = {key: float(np.mean(values)) for key, values in samples[name].items()}
        baseline = by_x.get(baseline_key)
        if baseline is None:
            continue
        points = [(key, baseline / by_x[key]) for key in x_keys if key in by_x]
        series.append((name, color, points))
    if not series:
        raise ValueError('No valid speedup data could be computed.')

    if data_filepath:
        rows = [(name, key, speedup) for name, _, points in series for key, speedup in points]
        if data_format == 'json':
            _write_json(data_filepath, {
                'points': [{'region': n, x_field: k, 'speedup': s} for n, k, s in rows],
                'colors': dict(zip(region_names, region_colors))})
        else:
            _write_csv(data_filepath, ['region', x_field, 'speedup'], rows)

    if not filepath and not show:
        return None

    x_label = _X_LABELS.get(x_field, x_field)
    position = {key: (key if scaling else i) for i, key in enumerate(x_keys)}
    canvas = _Canvas(backend, 1, max(4.5, 2.8 + 0.35 * len(region_names)),
                     width=max(10.0, 1.2 * len(x_keys) + 3), show=show,
                     title='Region speedup scaling (baseline: %s = %s)' % (x_label, baseline_key))
    for name, color, points in series:
        canvas.line(0, [position[k] for k, _ in points], [s for _, s in points], color, name)
    if scaling:
        line_x = np.array(x_keys, dtype=float)
        canvas.line(0, line_x, line_x / float(baseline_key), 'black', 'Ideal scaling',
                    dashed=True)
        canvas.axis(0, xlabel=x_label, ylabel='Speedup', xticks=list(x_keys), grid='both',
                    legend=True)
    else:
        canvas.axis(0, xlabel=x_label, ylabel='Speedup', xticks=list(range(len(x_keys))),
                    xticklabels=[str(k) for k in x_keys], grid='both', legend=True)
    canvas.finish(filepath)
    return None
