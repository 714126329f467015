"""Which frames the pose step takes, and which compressed pictures it need not decode at all.

The pose step looks at every ``step``-th frame (presentation order), but decoding is paid for
every frame, and it was half of the analysis time. In H.264 a picture whose slices all have
``nal_ref_idc == 0`` is never used to predict another one, so when it is not sampled its packet
can be left out of the decoder without changing any other decoded picture: the sampled frames
stay the same frames with the same pixels (in the shared clips about half the pictures are such
B-frames, so a third of all decoding goes). Other codecs, or a stream whose packets carry no
timestamps, are decoded in full and sampled by index as before.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

# Packets held back before deciding on the oldest: enough for every picture shown earlier to have
# arrived (H.264 reorders by at most 16 pictures), so the count of earlier timestamps is final.
LOOKAHEAD = 24


def avcc_nal_length(extradata: bytes | None) -> int | None:
    """Bytes of the NAL length prefix of an MP4-style (avcC) H.264 stream; None for Annex B."""
    if not extradata or len(extradata) < 7 or extradata[0] != 1:
        return None
    return (extradata[4] & 3) + 1


def is_non_reference(data: memoryview | bytes, nal_length: int) -> bool:
    """True if every slice of this H.264 access unit has ``nal_ref_idc == 0`` (nothing else
    is predicted from it). A packet that does not parse cleanly counts as a reference."""
    i, n, slices = 0, len(data), 0
    while i + nal_length <= n:
        size = int.from_bytes(data[i:i + nal_length], "big")
        i += nal_length
        if size <= 0 or i + size > n:
            return False
        head = data[i]
        if 1 <= head & 0x1F <= 5:  # a coded slice (non-IDR 1-4, IDR 5)
            if head & 0x60:
                return False
            slices += 1
        i += size
    return slices > 0 and i == n


@dataclass
class SamplePlan:
    """Every ``step``-th frame by presentation order, decided per packet from its timestamp."""

    step: int
    nal_length: int | None  # None: cannot recognise non-reference pictures, decode them all
    wanted: set[int] = field(default_factory=set)  # timestamps of the frames to take
    packets: int = 0        # pictures in the stream (decoded or not)
    skipped: int = 0        # pictures never handed to the decoder
    by_index: bool = False  # a packet without a timestamp: sample decoded frames by index

    @classmethod
    def for_stream(cls, stream, step: int) -> SamplePlan:
        ctx = stream.codec_context
        nal = avcc_nal_length(ctx.extradata) if ctx.name == "h264" else None
        # without a way to spot non-reference pictures, keep the plain decode-and-count sampling
        return cls(step=max(1, int(step)), nal_length=nal, by_index=nal is None)

    def wants(self, frame, index: int) -> bool:
        """Take this decoded frame (``index``: decoded frames before it)?"""
        if self.by_index:
            return index % self.step == 0
        return frame.pts in self.wanted


def decode_packets(container, stream, plan: SamplePlan) -> Iterator:
    """Decoded frames of ``stream``, leaving out non-reference pictures that ``plan`` won't take."""
    held: deque = deque()
    shown: list[int] = []  # sorted timestamps of the pictures seen so far that will be shown

    def release(packet):
        if plan.by_index:
            return packet
        index = bisect_left(shown, packet.pts)
        if packet.is_discard:  # decoded (others may refer to it) but never shown
            return packet
        if index % plan.step == 0:
            plan.wanted.add(packet.pts)
            return packet
        if (plan.nal_length is not None and not packet.is_keyframe
                and is_non_reference(memoryview(packet), plan.nal_length)):
            plan.skipped += 1
            return None
        return packet

    def feed(packet):
        if packet is not None:
            yield from stream.decode(packet)

    end = None
    for packet in container.demux(stream):
        if packet.size == 0:  # the demuxer's end-of-stream marker: it flushes the decoder below
            end = packet      # (it carries the time base, so the last frames keep their times)
            break
        plan.packets += 1
        if packet.pts is None and not plan.by_index:
            plan.by_index = True  # no timestamps to plan with: decode everything from here on
        if not plan.by_index and not packet.is_discard:
            insort(shown, packet.pts)
        held.append(packet)
        if len(held) > LOOKAHEAD:
            yield from feed(release(held.popleft()))
    while held:
        yield from feed(release(held.popleft()))
    yield from stream.decode(end)


__all__ = ["LOOKAHEAD", "SamplePlan", "avcc_nal_length", "decode_packets", "is_non_reference"]
