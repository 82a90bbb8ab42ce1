#!/usr/bin/python3
"""Where one training step's time goes in PyTorch: the peer's teacher (cross-entropy) or ds-cnn student
(distillation loss, T=4, alpha 0.7, against teacher-shaped targets) trained with Adam on real Fashion-MNIST
minibatches, timed over the steps after a warm-up, then the same steps again under PyTorch's operator profiler.
The counterpart of Distillery's StepProfile; prints its RESULT format:

  RESULT step <model> <batch> <ms per step> <ms per step inside top-level operators> <ms per step when profiled>
  RESULT op <model> <operator> <ms per step> <calls per step>

Usage: step_profile.py --data DIR --model teacher|student [--batch 64] [--warmup 20] [--steps 100] [--threads 1]
Exit codes: 0 ok, 2 bad input.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion  # noqa: E402


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--model", choices=["teacher", "student"], required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    try:
        x, y = fashion.load(a.data, "train", a.batch * (a.warmup + a.steps))
    except fashion.DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    import torch
    import torch.nn.functional as F
    import models

    torch.manual_seed(42)
    torch.set_num_threads(a.threads)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model = models.teacher() if a.model == "teacher" else models.student()
    teacher_logits = F.one_hot(y, 10).float() * 6.0   # a margin of 6 on the true class, as StepProfile uses

    def loss_fn(s, i):
        if a.model == "teacher":
            return F.cross_entropy(s, y[i])
        log_pt = F.log_softmax(teacher_logits[i] / 4.0, dim=1)
        kl = (log_pt.exp() * (log_pt - F.log_softmax(s / 4.0, dim=1))).sum(1).mean()
        return 0.7 * 16.0 * kl + 0.3 * F.cross_entropy(s, y[i])

    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(s):
        i = slice(s * a.batch, (s + 1) * a.batch)
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x[i]), i).backward()
        optimizer.step()

    for s in range(a.warmup):
        step(s)
    t0 = time.perf_counter()
    for s in range(a.warmup, a.warmup + a.steps):
        step(s)
    ms = (time.perf_counter() - t0) * 1e3 / a.steps
    with torch.autograd.profiler.profile() as prof:
        t0 = time.perf_counter()
        for s in range(a.warmup, a.warmup + a.steps):
            step(s)
        profiled = (time.perf_counter() - t0) * 1e3 / a.steps
    # operators called directly by the step (no parent operator), so that nested calls are not counted twice
    top = {}
    for e in prof.function_events:
        if e.cpu_parent is None:
            t, n = top.get(e.name, (0.0, 0))
            top[e.name] = (t + e.cpu_time_total / 1e3, n + 1)
    inside = sum(t for t, _ in top.values()) / a.steps
    print(f"RESULT step {a.model} {a.batch} {ms:.3f} {inside:.3f} {profiled:.3f}")
    for name, (t, n) in sorted(top.items(), key=lambda kv: -kv[1][0]):
        print(f"RESULT op {a.model} {name.replace(' ', '_')} {t / a.steps:.3f} {n / a.steps:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
