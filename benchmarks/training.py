"""Train the course notes' scratch softmax regression on the course notes' pipeline and on d2lhelpers'.

Both runs happen in this one process, on the same prepared files, at the same seed, with the
same number of torch threads, and run exactly the course notes' section-5 code (W ~ N(0, 0.01),
b = 0, SGD lr 0.1, batch 256, 10 epochs) plus a test-accuracy pass after every epoch:
  notes: torchvision FashionMNIST + ToTensor per image + DataLoader(shuffle=True, num_workers=4)
  ours:  d2lhelpers.load_data_fashion_mnist (tensors decoded once, indexed by whole batches)
Each time includes building the loaders (ours: decoding the files). Prints both times, the
ratio, and both runs' test accuracies, which must be identical (exit status 1 otherwise).

    .venv/bin/python benchmarks/training.py [--epochs 10] [--threads 1] [--seed 0]

One torch thread by default: the model is tiny, and on a shared machine extra threads mostly
wait for each other. Other processes on the machine slow both runs and shrink the ratio.
"""
import argparse
import time

import torch

import d2lhelpers
from notes_pipeline import notes_load_data_fashion_mnist

BATCH_SIZE, LR = 256, 0.1


def our_loaders(batch_size: int):
    d2lhelpers.load_fashion_mnist_tensors.cache_clear()  # time the decoding too
    return d2lhelpers.load_data_fashion_mnist(batch_size)


def notes_scratch_training(make_loaders, epochs: int, seed: int):
    """The course notes' section 5, verbatim in substance; returns (seconds, test accs, W)."""
    start = time.perf_counter()
    train_iter, test_iter = make_loaders(BATCH_SIZE)
    torch.manual_seed(seed)
    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True)
    b = torch.zeros(10, requires_grad=True)

    def softmax(X):
        X_exp = torch.exp(X)
        return X_exp / X_exp.sum(1, keepdim=True)

    def net(X):
        return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

    def cross_entropy(y_hat, y):
        return -torch.log(y_hat[range(len(y)), y])

    updater = torch.optim.SGD([W, b], lr=LR)
    test_accs = []
    for _ in range(epochs):
        for X, y in train_iter:
            loss = cross_entropy(net(X), y)
            updater.zero_grad()
            loss.mean().backward()
            updater.step()
        with torch.no_grad():
            correct = sum((net(X).argmax(dim=1) == y).sum().item() for X, y in test_iter)
        test_accs.append(correct / 10000)
    return time.perf_counter() - start, test_accs, W.detach()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    d2lhelpers.fashion_mnist_dir()  # prepare/verify the data outside the timings

    runs = {}
    for name, make_loaders in (('notes', notes_load_data_fashion_mnist), ('ours', our_loaders)):
        runs[name] = notes_scratch_training(make_loaders, args.epochs, args.seed)
        print(f'{name}: test acc per epoch', ' '.join(f'{a:.4f}' for a in runs[name][1]),
              flush=True)

    (notes_time, notes_accs, notes_W), (ours_time, ours_accs, ours_W) = runs['notes'], runs['ours']
    same = notes_accs == ours_accs and torch.equal(notes_W, ours_W)
    print(f'scratch softmax regression, {args.epochs} epochs, batch {BATCH_SIZE}, lr {LR}, '
          f'seed {args.seed}, {torch.get_num_threads()} torch thread(s)')
    print(f'  course notes pipeline (ToTensor, num_workers=4): {notes_time:8.2f} s   '
          f'final test acc {notes_accs[-1]:.4f}')
    print(f'  d2lhelpers (decoded tensors):            {ours_time:8.2f} s   '
          f'final test acc {ours_accs[-1]:.4f}')
    print(f'  ratio: {notes_time / ours_time:.1f}x faster')
    print(f'  identical results (every epoch\'s test accuracy and the final W): {same}')
    if not same:
        raise SystemExit('the two pipelines trained different models')


if __name__ == '__main__':
    main()
