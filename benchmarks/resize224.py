"""d2l's later chapters call ``load_data_fashion_mnist(128, resize=224)``: time and memory of one
training epoch with d2lhelpers' loader and with the course notes' pipeline, in one run.

Each side runs in its own fresh subprocess (same seed, same prepared files, same thread count):
  notes: torchvision FashionMNIST + Resize(224) + ToTensor per image, DataLoader(shuffle=True,
         num_workers=4) (benchmarks/notes_pipeline.py);
  ours:  d2lhelpers.load_data_fashion_mnist (uint8 images decoded once, each batch converted and
         resized when it is read).
Time: from building the loaders to the last batch read. Memory: the peak resident set size
(``ru_maxrss``) of the subprocess's main process, and, as the part the loader adds, that peak
minus the resident size right after ``import torch, torchvision, d2lhelpers``; for the notes
also the largest peak among its worker processes (``RUSAGE_CHILDREN``). Both sides' first
batches are compared (labels equal, pixels within 1/255: the notes resize PIL uint8 images and
round to k/255, d2lhelpers resizes float tensors).
``--batches N`` reads only the first N batches on both sides (0: the whole epoch, 469 batches);
the JSON says how many were read. Writes benchmarks/results/resize224.json.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/resize224.py [--batches 0] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULT = HERE / 'results' / 'resize224.json'
BATCH, SIZE = 128, 224


def _rss_mb() -> float:
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return float('nan')


def run_side(side: str, batches: int, first: str) -> dict:
    """One side, in this (fresh) process: returns its figures."""
    import resource

    import torch
    import torchvision  # noqa: F401  (both sides pay for the same imports)

    import d2lhelpers
    sys.path.insert(0, str(HERE))
    from notes_pipeline import notes_load_data_fashion_mnist

    d2lhelpers.fashion_mnist_dir()               # verified outside the timing
    base = _rss_mb()
    torch.manual_seed(0)
    start = time.perf_counter()
    load = d2lhelpers.load_data_fashion_mnist if side == 'ours' else notes_load_data_fashion_mnist
    train_iter, _ = load(BATCH, resize=SIZE)
    total = len(train_iter)
    n_read = n_images = 0
    for X, y in train_iter:
        if n_read == 0:
            torch.save((X, y), first)
        n_read += 1
        n_images += len(y)
        if n_read == batches:
            break
    seconds = time.perf_counter() - start
    del train_iter
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {'seconds': seconds, 'batches_read': n_read, 'batches_in_epoch': total,
            'images_read': n_images, 'peak_rss_mb': peak, 'rss_after_imports_mb': base,
            'loader_peak_mb': peak - base,
            'largest_worker_peak_rss_mb': workers if side == 'notes' else None,
            'threads': torch.get_num_threads(), 'batch_shape': list(X.shape)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batches', type=int, default=0, help='batches to read (0: all)')
    parser.add_argument('--threads', type=int, default=2, help='torch threads on both sides')
    parser.add_argument('--side', choices=['ours', 'notes'], help=argparse.SUPPRESS)
    parser.add_argument('--first', help=argparse.SUPPRESS)
    parser.add_argument('--no-write', action='store_true', help='do not write the JSON')
    args = parser.parse_args()
    if args.side:                                  # the child
        print(json.dumps(run_side(args.side, args.batches, args.first)))
        return

    import torch
    env = {**os.environ, 'OMP_NUM_THREADS': str(args.threads),
           'PYTHONPATH': os.environ.get('PYTHONPATH', str(HERE.parent))}
    figures, firsts = {}, {}
    load_before = os.getloadavg()[0] if hasattr(os, 'getloadavg') else None
    with tempfile.TemporaryDirectory() as tmp:
        for side in ('notes', 'ours'):
            firsts[side] = os.path.join(tmp, f'{side}.pt')
            out = subprocess.run([sys.executable, __file__, '--side', side, '--batches',
                                  str(args.batches), '--first', firsts[side]],
                                 env=env, check=True, capture_output=True, text=True).stdout
            figures[side] = json.loads(out.strip().splitlines()[-1])
        (Xn, yn), (Xo, yo) = (torch.load(firsts[s]) for s in ('notes', 'ours'))
    levels = round(float((Xn - Xo).abs().max()) * 255)
    notes, ours = figures['notes'], figures['ours']
    assert notes['batches_read'] == ours['batches_read']
    result = {
        'call': f'load_data_fashion_mnist({BATCH}, resize={SIZE})',
        'batches_read': ours['batches_read'], 'batches_in_epoch': ours['batches_in_epoch'],
        'whole_epoch': ours['batches_read'] == ours['batches_in_epoch'],
        'ratio_notes_over_ours': notes['seconds'] / ours['seconds'],
        'first_batch_same_labels': bool(torch.equal(yn, yo)),
        'first_batch_max_grey_levels_apart': levels,
        'dataset_resized_at_once_gb': 60000 * SIZE * SIZE * 4 / 1e9,
        'memory_measure': 'ru_maxrss of each side\'s subprocess (main process); loader_peak_mb '
                          'subtracts the resident size after the imports',
        'cpus': os.cpu_count(), 'load_average_1min_before': load_before,
        'notes': notes, 'ours': ours,
    }
    print(f'{result["call"]}: {result["batches_read"]} of {result["batches_in_epoch"]} batches '
          f'read on each side, {ours["threads"]} torch threads, {os.cpu_count()} CPUs '
          f'(load average {load_before} before)')
    for name, f in (('course notes (Resize+ToTensor, 4 workers)', notes),
                    ('d2lhelpers (uint8, resized per batch)', ours)):
        extra = (f', largest worker {f["largest_worker_peak_rss_mb"]:.0f} MB'
                 if f['largest_worker_peak_rss_mb'] is not None else '')
        print(f'  {name:44s} {f["seconds"]:7.1f} s   peak RSS {f["peak_rss_mb"]:6.0f} MB '
              f'(loader: +{f["loader_peak_mb"]:.0f} MB){extra}')
    print(f'  time ratio (notes / ours): {result["ratio_notes_over_ours"]:.2f}x')
    print(f'  first batch: same labels {result["first_batch_same_labels"]}, pixels at most '
          f'{levels} grey level(s) apart; the whole set resized at once would need '
          f'{result["dataset_resized_at_once_gb"]:.1f} GB')
    if not args.no_write:
        RESULT.parent.mkdir(exist_ok=True)
        RESULT.write_text(json.dumps(result, indent=2) + '\n')
        print(f'  written to {RESULT.relative_to(HERE.parent)}')


if __name__ == '__main__':
    main()
