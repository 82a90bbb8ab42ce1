#!/usr/bin/python3
"""PyTorch peer of Distillery's benchmark: the same teacher and ds-cnn student, data, epochs, batch size, Adam with
linear warm-up and cosine decay, and distillation loss, on CPU. Prints RESULT lines in the format of Distillery's
PipelineBenchmark:

  RESULT peer <torch version> <threads> <BLAS library>
  RESULT train <run> <mean samples/s over epochs> <test accuracy> <MACs per sample (0: not computed)> <parameters> <epochs> <train rows> <seconds of all epochs>
  RESULT label <rows> <seconds>

Samples/s per epoch is training rows over the epoch's wall time with its validation pass included, as Distillery's
trainer counts it; each run keeps the epoch with the best validation accuracy and reports its test accuracy.
Exit codes: 0 ok, 2 bad input (missing data, bad arguments, PyTorch not installed).
"""
import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion  # noqa: E402


def arguments(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="folder with the four Fashion-MNIST IDX files")
    p.add_argument("--train-limit", type=int, default=0, help="first N training images (0: all)")
    p.add_argument("--validation-fraction", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--teacher-epochs", type=int, default=6)
    p.add_argument("--teacher-lr", type=float, default=0.002)
    p.add_argument("--teacher-warmup", type=float, default=0.2, help="warm-up epochs")
    p.add_argument("--student-epochs", type=int, default=10)
    p.add_argument("--student-lr", type=float, default=0.003)
    p.add_argument("--student-warmup", type=float, default=0.2)
    p.add_argument("--temperature", type=float, default=4.0)
    p.add_argument("--alpha", type=float, default=0.7)
    p.add_argument("--label-batch-size", type=int, default=128)
    p.add_argument("--check-data", action="store_true", help="only read and split the data, print its shapes, exit")
    a = p.parse_args(argv)
    for name in ("threads", "batch_size", "teacher_epochs", "student_epochs", "label_batch_size"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1, was {getattr(a, name)}")
    if not 0 <= a.validation_fraction < 1:
        p.error(f"--validation-fraction must be in [0, 1), was {a.validation_fraction}")
    if a.temperature <= 0 or not 0 <= a.alpha <= 1:
        p.error(f"--temperature must be > 0 and --alpha in [0, 1], were {a.temperature} and {a.alpha}")
    return a


def cosine(base, warmup_steps, total_steps, floor=0.02):
    """Distillery's CosineSchedule: linear warm-up, then cosine decay to floor * base at total_steps."""
    def value(step):
        if step < warmup_steps:
            return base * (step + 1) / warmup_steps
        progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
        return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))
    return value


def accuracy(torch, model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    model.train()
    return correct / max(1, len(y))


def train(torch, model, loss_fn, x, y, teacher_logits, validation, epochs, lr, warmup, batch, seed):
    """Adam with Distillery's schedule; returns (best state, per-epoch samples/s)."""
    steps = (len(y) + batch - 1) // batch
    schedule = cosine(lr, int(round(warmup * steps)), epochs * steps)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    generator = torch.Generator().manual_seed(seed)
    best, best_acc, rates = None, -1.0, []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        order = torch.randperm(len(y), generator=generator)
        for b in range(steps):
            idx = order[b * batch:(b + 1) * batch]
            for group in optimizer.param_groups:
                group["lr"] = schedule(epoch * steps + b)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx], None if teacher_logits is None else teacher_logits[idx])
            loss.backward()
            optimizer.step()
        acc = accuracy(torch, model, *validation)
        rates.append(len(y) / (time.perf_counter() - t0))
        print(f"peer epoch {epoch + 1}/{epochs} validation {acc:.4f} samples/s {rates[-1]:.0f}", file=sys.stderr)
        if acc > best_acc:
            best_acc = acc
            best = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best)
    return rates


def blas():
    """The BLAS library this process actually loaded (torch resolves libblas.so.3 through the dynamic loader)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/libblas" in line}
        return ",".join(sorted(os.path.realpath(p) for p in paths)) or "none-loaded"
    except OSError:
        return "unknown"


def main(argv):
    a = arguments(argv)
    try:
        train_x, train_y = fashion.load(a.data, "train", a.train_limit)
        test_x, test_y = fashion.load(a.data, "test")
    except fashion.DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    (tx, ty), (vx, vy) = fashion.split_validation(train_x, train_y, a.validation_fraction, a.seed)
    if a.check_data:
        print(f"DATA train {tx.shape} validation {vx.shape} test {test_x.shape}")
        return 0
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("error: the PyTorch peer needs PyTorch for this interpreter (Debian: apt-get install python3-torch "
              "libopenblas0-openmp)", file=sys.stderr)
        return 2
    import models

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    torch.ones(2, 2) @ torch.ones(2, 2)   # loads the BLAS library so that blas() can name it
    print(f"RESULT peer {torch.__version__} {torch.get_num_threads()} {blas()}")
    tx, ty, vx, vy = map(torch.from_numpy, (tx, ty, vx, vy))
    test = (torch.from_numpy(test_x), torch.from_numpy(test_y))

    def hard_labels(s, y, teacher_logits):
        return F.cross_entropy(s, y)

    teacher = models.teacher()
    rates = train(torch, teacher, hard_labels, tx, ty, None, (vx, vy),
                  a.teacher_epochs, a.teacher_lr, a.teacher_warmup, a.batch_size, a.seed)
    report("teacher", rates, accuracy(torch, teacher, *test), models.parameters(teacher), len(ty))

    # soft labels: the best teacher's logits for every training and validation row, as Distillery's label stage
    teacher.eval()
    rows = torch.cat([tx, vx])
    with torch.no_grad():
        model_out = []
        t0 = time.perf_counter()
        for i in range(0, len(rows), a.label_batch_size):
            model_out.append(teacher(rows[i:i + a.label_batch_size]))
        seconds = time.perf_counter() - t0
    print(f"RESULT label {len(rows)} {seconds:.2f}")
    logits = torch.cat(model_out)[:len(ty)]

    t, alpha = a.temperature, a.alpha

    def distillation(s, y, teacher_logits):
        log_pt = F.log_softmax(teacher_logits / t, dim=1)
        kl = (log_pt.exp() * (log_pt - F.log_softmax(s / t, dim=1))).sum(1).mean()
        return alpha * t * t * kl + (1 - alpha) * F.cross_entropy(s, y)

    torch.manual_seed(a.seed + 1)
    student = models.student()
    rates = train(torch, student, distillation, tx, ty, logits, (vx, vy), a.student_epochs, a.student_lr,
                  a.student_warmup, a.batch_size, a.seed + 1)
    report("student-kd", rates, accuracy(torch, student, *test), models.parameters(student), len(ty))

    # the hard-label baseline Distillery's distill stage trains beside the KD student, after it
    torch.manual_seed(a.seed + 2)
    baseline = models.student()
    rates = train(torch, baseline, hard_labels, tx, ty, None, (vx, vy), a.student_epochs,
                  a.student_lr, a.student_warmup, a.batch_size, a.seed + 2)
    report("student-baseline", rates, accuracy(torch, baseline, *test), models.parameters(baseline), len(ty))
    return 0


def report(run, rates, test_accuracy, params, rows):
    seconds = sum(rows / r for r in rates)
    print(f"RESULT train {run} {sum(rates) / len(rates):.1f} {test_accuracy:.4f} 0 {params} {len(rates)} {rows} "
          f"{seconds:.2f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
