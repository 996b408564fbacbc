"""The training lab (d2lhelpers.explorers.training): its subset, its random numbers, PyTorch's
reference run, and the oracle: the browser's trainer (explorer-training-worker.js, the compact
copy the pages carry, run under Node.js) reproduces PyTorch's numbers from the same seed."""
import base64
import json
import re
import subprocess
import warnings
import zlib

import numpy as np
import pytest

import d2lhelpers
from d2lhelpers.explorers import base
from d2lhelpers.explorers import training as tr

from test_widgets import _config, _node   # the Node.js lookup (skip locally, fail under CI)

SUBSET = tr.lab_subset()
TOL = 1e-4

ORACLE_JS = """
const fs = require('fs');
const T = require(process.argv[2]);
const a = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const raw = new Uint8Array(fs.readFileSync(process.argv[4]));
const nL = a.nTrain + a.nTest;
const data = {labels: raw.subarray(0, nL), pixels: raw.subarray(nL), nTrain: a.nTrain, nTest: a.nTest};
const runs = a.runs.map(s => {
  const t = new T.Trainer(data, s), t0 = Date.now();
  while (t.epoch < s.epochs && (s.max_steps == null || t.steps < s.max_steps)) if (!t.step()) break;
  return {history: t.history, steps: t.steps, diverged: t.diverged && t.diverged.step,
          W: Array.from(t.W), b: Array.from(t.b), ms: Date.now() - t0,
          partial: {loss_sum: t.sumLoss, correct: t.correct, seen: t.seen}};
});
const draws = a.seeds.map(seed => { const r = T.mulberry32(seed), u = [];
  for (let i = 0; i < 1000; i++) u.push(r()); return u; });
const weights = a.seeds.map(seed => Array.from(T.initialWeights(T.mulberry32(seed))));
const orders = a.seeds.map(seed => Array.from(T.permutation(T.mulberry32(seed), 4000)));
console.log(JSON.stringify({runs, draws, weights, orders}));
"""

# the default settings; batch 1 for 500 steps; large learning rates for one epoch (their
# dynamics are chaotic: float32 rounding differences of 1e-7, as between two matrix-product
# orders, grow to 1e-3 in the second epoch at lr 0.5 and to 1e-1 within ten; one test image
# then changes class), one of them running on until it diverges at the same step on both
# sides; a diverging lr; a small batch and another seed
RUNS = [dict(lr=0.1, batch=256, epochs=10, seed=0),
        dict(lr=0.02, batch=1, epochs=1, seed=7, max_steps=500),
        dict(lr=0.5, batch=256, epochs=1, seed=0),
        dict(lr=2.0, batch=1024, epochs=2, seed=0),
        dict(lr=10.0, batch=256, epochs=5, seed=0),
        dict(lr=0.1, batch=16, epochs=2, seed=123456789)]
SEEDS = [0, 1, 7, 2 ** 32 - 1]


@pytest.fixture(scope='module')
def oracle(tmp_path_factory):
    node, tmp = _node(), tmp_path_factory.mktemp('oracle')
    (tmp / 'oracle.js').write_text(ORACLE_JS)
    (tmp / 'trainer.js').write_text(base._asset('explorer-training-worker.js'), encoding='utf-8')
    (tmp / 'raw.bin').write_bytes(tr.pack_subset(SUBSET))
    (tmp / 'a.json').write_text(json.dumps({'nTrain': 4000, 'nTest': 1000, 'runs': RUNS,
                                            'seeds': SEEDS}))
    run = subprocess.run([node, str(tmp / 'oracle.js'), str(tmp / 'trainer.js'),
                          str(tmp / 'a.json'), str(tmp / 'raw.bin')],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


@pytest.fixture(scope='module')
def references():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        return [tr.train_reference(**r) for r in RUNS]


# --- the subset ---------------------------------------------------------------------------

def test_subset_is_balanced_fixed_and_real():
    s = SUBSET
    assert s['train_images'].shape == (4000, 784) and s['test_images'].shape == (1000, 784)
    assert s['train_images'].dtype == np.uint8 and s['train_labels'].dtype == np.uint8
    assert np.bincount(s['train_labels']).tolist() == [400] * 10
    assert np.bincount(s['test_labels']).tolist() == [100] * 10
    # the dataset's order: the first training labels are those of Fashion-MNIST (9 0 0 3 0 2 ...)
    assert s['train_labels'][:6].tolist() == [9, 0, 0, 3, 0, 2]
    assert s['test_labels'][:6].tolist() == [9, 2, 1, 1, 6, 1]
    images, _ = d2lhelpers.load_fashion_mnist_tensors(train=False)
    assert np.array_equal(s['test_images'][0], images[0].numpy().ravel())


def test_data_file_is_compact_and_round_trips():
    text = tr.data_script(SUBSET)
    assert len(text) == tr.data_bytes() <= 3_000_000
    assert 'MIT' in text and 'zalandoresearch/fashion-mnist' in text
    packed = re.search(r'data:"([^"]+)"', text).group(1)
    raw = zlib.decompress(base64.b64decode(packed))
    assert raw == tr.pack_subset(SUBSET) and len(raw) == 5000 * 785
    assert f'rawBytes:{len(raw)}' in text


# --- the random numbers -------------------------------------------------------------------

def test_mulberry32_known_values():
    r = tr.Mulberry32(0)
    assert [r.next_u32() for _ in range(3)] == [1144304738, 1416247, 958946056]   # the canonical JS mulberry32


def test_prng_is_identical_in_python_and_javascript(oracle):
    for seed, draws, weights, order in zip(SEEDS, oracle['draws'], oracle['weights'],
                                           oracle['orders']):
        r = tr.Mulberry32(seed)
        assert [r.random() for _ in range(1000)] == draws
        W = tr.initial_weights(tr.Mulberry32(seed))
        assert np.array_equal(W.ravel(), np.array(weights, dtype=np.float32))
        assert tr.permutation(tr.Mulberry32(seed), 4000).tolist() == order


def test_initial_weights_are_the_chapters():
    W = tr.initial_weights(tr.Mulberry32(0))
    assert W.shape == (784, 10) and W.dtype == np.float32
    assert abs(W.mean()) < 3e-4 and abs(W.std() - 0.01) < 3e-4
    assert sorted(tr.permutation(tr.Mulberry32(3), 50).tolist()) == list(range(50))


# --- the oracle ---------------------------------------------------------------------------

@pytest.mark.parametrize('i', range(len(RUNS)), ids=[str(r) for r in RUNS])
def test_javascript_trainer_reproduces_pytorch(oracle, references, i):
    ref, js = references[i], oracle['runs'][i]
    assert js['steps'] == ref['steps'] and js['diverged'] == ref['diverged']
    for key in ('loss', 'train_acc', 'test_acc'):
        assert len(js['history'][key]) == len(ref[key])
        np.testing.assert_allclose(js['history'][key], ref[key], rtol=0, atol=TOL, err_msg=key)
    np.testing.assert_allclose(js['W'], ref['W'].ravel(), rtol=0, atol=TOL)
    np.testing.assert_allclose(js['b'], ref['b'], rtol=0, atol=TOL)
    assert js['partial']['seen'] == ref['partial']['seen']
    assert abs(js['partial']['loss_sum'] - ref['partial']['loss_sum']) <= TOL * max(
        1, ref['partial']['seen'])


def test_reference_run_learns_and_a_large_lr_diverges(references):
    default, _, _, large, diverging, _ = references
    assert len(default['loss']) == 10 and default['diverged'] is None
    assert len(large['loss']) == 1 and large['diverged'] == 6
    assert default['loss'][-1] < default['loss'][0] and default['test_acc'][-1] > 0.7
    assert diverging['diverged'] is not None and diverging['diverged'] < 10


def test_one_epoch_under_node_is_fast(oracle):
    """The Node run of the default settings (10 epochs): a rough speed check of the trainer."""
    assert oracle['runs'][0]['ms'] / 10 < 1500


# --- the static view and the kernel view --------------------------------------------------

def test_static_view_carries_the_reference_and_the_trainer():
    page = tr.training_html()
    cfg = _config(page)
    assert cfg['reference']['loss'] == pytest.approx(tr.train_reference()['loss'], abs=0)
    assert cfg['data_bytes'] == tr.data_bytes() and cfg['data_file'].endswith(tr.DATA_FILE)
    assert cfg['names'] == list(d2lhelpers.TEXT_LABELS_ZH) and len(cfg['strip']) == 10
    assert page.index('d2lTrainer') < page.index("register('training'")
    assert '学习率 = 0.1，批量大小 = 256' in page and 'd2lTrainingData' not in page.split(
        'explorer-config')[1].split('</script>')[0]


def test_kernel_view_trains_with_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        lab = d2lhelpers.training_explorer(epochs=1)
        bundle = lab._repr_mimebundle_()
    assert 'data-kind="training"' in bundle['text/html']
    assert lab.state()['steps'] == 0
    lab.step()
    assert lab.state()['steps'] == 1
    lab.train()
    s = lab.state()
    ref = tr.train_reference(epochs=1)
    assert s['loss'] == ref['loss'] and s['test_acc'] == ref['test_acc']
    image = lab.image.value
    lab.lr_slider.value = 10.0          # a new setting starts again from the initial weights
    assert lab.state()['steps'] == 0 and lab.image.value != image
    lab.train()
    assert lab.state()['diverged'] is not None
    lab.reset()
    assert lab.state()['settings']['seed'] != 0 and lab.state()['steps'] == 0


@pytest.mark.parametrize('kwargs, match', [
    (dict(lr=0), 'lr'), (dict(lr=float('nan')), 'lr'), (dict(lr='0.1'), 'lr'),
    (dict(batch=0), 'batch'), (dict(batch=4001), 'batch'), (dict(batch=2.5), 'batch'),
    (dict(epochs=0), 'epochs'), (dict(epochs=51), 'epochs'), (dict(seed=-1), 'seed'),
    (dict(seed=2 ** 32), 'seed'), (dict(seed=True), 'seed')])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tr.check_settings(**{**dict(lr=0.1, batch=256, epochs=10, seed=0), **kwargs})
    with pytest.raises(ValueError, match=match):
        d2lhelpers.training_explorer(**kwargs)
