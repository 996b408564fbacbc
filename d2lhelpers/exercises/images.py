"""Exercise of the image dataset (ch. 05): turn a uint8 image batch into the model's input."""
from __future__ import annotations

import torch

from .cases import generator, randint
from .compare import has_data
from .formatting import fmt
from .records import Case, Failure, Misconception, Outcome
from .task import Task

__all__ = ['FLOAT_IMAGES']

_U8 = torch.uint8


def float_images(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``[n, h, w]`` -> float32 ``[n, 1, h, w]`` in [0, 1]: what ``ToTensor`` gives."""
    return images.unsqueeze(1).float() / 255


def _u8(rows) -> torch.Tensor:
    return torch.tensor(rows, dtype=_U8)


def _images(g: torch.Generator, n: int, h: int, w: int, high: int = 256) -> torch.Tensor:
    return randint(g, 0, high, (n, h, w)).to(_U8)


def _cases() -> list[Case]:
    g = generator(5)
    return [
        Case('2 张 2×2 的小图片', (_u8([[[0, 255], [51, 102]], [[255, 255], [0, 204]]]),)),
        Case('1 张 3×3 的图片（n = 1）', (_u8([[[0, 51, 0], [51, 255, 51], [0, 51, 0]]]),)),
        Case('偏暗的一批：最亮的像素只有 200', (_images(g, 3, 6, 6, high=201),)),
        Case('全黑的图片（像素全为 0）', (torch.zeros(2, 4, 4, dtype=_U8),)),
        Case('高和宽不同的 3 张 5×7 图片', (_images(g, 3, 5, 7),)),
        Case('随机的 5 张 28×28 图片', (_images(g, 5, 28, 28),)),
        Case('一个完整的小批量：256 张 28×28 图片', (_images(g, 256, 28, 28),)),
        Case('resize=64 之后的 4 张 64×64 图片', (_images(g, 4, 64, 64),)),
    ]


class FloatImagesTask(Task):
    """The result must be float32 whatever the input's dtype (uint8): the model's W is float32."""

    def judge(self, got: Outcome, want: Outcome, case: Case) -> Failure | None:
        failure = super().judge(got, want, case)
        if failure is None and got.value.dtype != torch.float32:
            return Failure('dtype', f'{self.func_name} 应该返回 float32 的张量，却返回了 '
                                    f'{str(got.value.dtype).replace("torch.", "")}。', show_got=False)
        return failure

    def describe_inputs(self, case: Case) -> str:
        return f'images = {self.describe_value(case.fresh()[0])}'

    def describe_value(self, value) -> str:
        """A batch of images as its first image (a small matrix) and the batch's shape."""
        if not isinstance(value, torch.Tensor) or value.dim() < 3 or not has_data(value):
            return fmt(value)
        first = value[0].squeeze(0) if value.dim() == 4 and value.shape[1] == 1 else value[0]
        if first.dim() == 3 and first.shape[-1] == 1:
            first = first.squeeze(-1)
        body = fmt(first).split('（')[0] if first.dim() == 2 else '…'
        dtype = '' if value.dtype in (torch.float32, torch.int64) else \
            '，' + str(value.dtype).replace('torch.', '')
        return f'{body}（第 1 张图片；整批的形状 {tuple(value.shape)}{dtype}）'


FLOAT_IMAGES = FloatImagesTask(
    name='float_images', chapter='05', func_name='my_float_images', params=('images',),
    statement=(
        '**动手练习（第 05 章）：把图片变成模型的输入。** 写一个函数 `my_float_images(images)`：'
        '`images` 是形状 `[n, h, w]` 的 `uint8` 张量（`n` 张灰度图片，像素是 0 到 255 的整数，'
        '就像 `mnist_train.data[:n]`）；返回形状 `[n, 1, h, w]` 的 `float32` 张量，像素缩放到 '
        '$[0, 1]$，与 `ToTensor()` 读出的小批量相同。'),
    reference=float_images, cases=_cases, dtype_strict=False,
    success='含全黑的图片、偏暗的一批、5×7、256 张 28×28、64×64',
    hints=[
        '通道维插在第 1 维（样本之后、高和宽之前）：`images.unsqueeze(1)`，形状 [n, 1, h, w]。',
        '先 `.float()` 变成 float32，再除以 255：像素 255 变成 1，0 还是 0。',
    ],
    solution='''
def my_float_images(images):
    X = images.unsqueeze(1)       # [n, h, w] -> [n, 1, h, w]：1 个灰度通道
    return X.float() / 255        # uint8 的 0..255 -> float32 的 [0, 1]
''',
    misconceptions=[
        Misconception('no_scale',
                      '像素没有缩放，还是 0 到 255：要除以 255。输入大上 255 倍，logits 也大上 255 倍，'
                      'exp 很容易溢出。',
                      wrong=lambda images: images.unsqueeze(1).float()),
        Misconception('floor_divide',
                      '整数除法 // 把结果向下取整，除了 255 以外的像素都成了 0：先 .float() 再 / 255。',
                      wrong=lambda images: (images // 255).unsqueeze(1).float()),
        Misconception('batch_max',
                      '你除以了这一批里最亮的像素：同一张图片在不同的批里会变成不同的输入，'
                      '全黑的一批还会得到 0 / 0 = nan。像素的范围固定是 0 到 255，除以 255。',
                      wrong=lambda images: images.unsqueeze(1).float() / images.max()),
        Misconception('by_256',
                      '除以了 256：最亮的像素 255 应该正好变成 1，要除以 255。',
                      wrong=lambda images: images.unsqueeze(1).float() / 256),
        Misconception('no_channel',
                      '少了通道维：模型读的是 [n, 1, h, w]（n 张图片、1 个灰度通道、高、宽），'
                      '用 images.unsqueeze(1) 插入它。',
                      wrong=lambda images: images.float() / 255),
        Misconception('channel_last',
                      '通道维放在了最后：[n, h, w, 1] 是 PIL 和 NumPy 的习惯；PyTorch 把通道放在高和宽'
                      '前面，[n, 1, h, w]，用 images.unsqueeze(1)。',
                      wrong=lambda images: images.unsqueeze(-1).float() / 255),
        Misconception('float64',
                      '结果是 float64：模型的参数 W 是 float32，两者相乘会报错。用 .float() 得到 float32。',
                      wrong=lambda images: images.unsqueeze(1).double() / 255),
        Misconception('fixed_size',
                      '把 28 写死了：resize 之后的图片是 64×64，别的数据集大小也不同。用 images.unsqueeze(1)，'
                      '或者从 images.shape 取出 n、h、w。',
                      when=lambda f: f.kind == 'raised' and '28' in str(f.error)),
    ],
)
