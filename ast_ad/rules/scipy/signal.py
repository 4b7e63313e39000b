"""Rules for ``scipy.signal.convolve`` (N-d, every ``mode``): bilinear; the transpose in one
argument is the ``"valid"`` convolution of the full-size cotangent with the other argument
flipped (real inputs)."""

from scipy import signal
from scipy.signal import convolve  # noqa: F401

from ..declare import linear
from ._helpers import conv_crop, conv_full  # noqa: F401

linear(signal.convolve, "in1, in2, mode='full', method='auto'",
       "convolve(conv_full(g, in1, in2, mode), np.flip(in2), 'valid', method)",
       "convolve(conv_full(g, in1, in2, mode), np.flip(in1), 'valid', method)")
linear(conv_full, "x, in1, in2, mode='full'", "conv_crop(g, in1, in2, mode)", None, None)
linear(conv_crop, "x, in1, in2, mode='full'", "conv_full(g, in1, in2, mode)", None, None)
