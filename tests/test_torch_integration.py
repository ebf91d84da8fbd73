"""schedalg.torch inside real trainers: Lightning, Hugging Face Trainer, torch.compile
and DDP (two gloo processes), each kept to a few steps of a tiny model on the CPU.
CUDA checks at the bottom skip without a GPU.
"""

from __future__ import annotations

import socket
import warnings

import pytest
import torch
from torch.utils.data import DataLoader, DistributedSampler

import schedalg as sa
from schedalg.torch import ParamScheduler, ScheduledBatchSampler

LR = sa.cosine(0.05, 0.001, 20).warmup(3)
MOMENTUM = sa.cosine(0.95, 0.85, 20)
BS = sa.quantize(sa.linear(2, 8, 12), multiple=2)


class Indexed(torch.utils.data.Dataset):
    def __init__(self, n=20):
        g = torch.Generator().manual_seed(7)
        self.x = torch.randn(n, 3, generator=g)
        self.y = self.x.sum(1, keepdim=True)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return i, self.x[i], self.y[i]


def tiny_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))


# -- Lightning -----------------------------------------------------------------------------
def _lightning_run(tmp_path, max_steps, ckpt_path=None):
    pl = pytest.importorskip("lightning.pytorch")

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = tiny_model()
            self.used = []  # (lr, momentum) at every optimizer.step()
            self.batches = []

        def training_step(self, batch, batch_idx):
            index, x, y = batch
            self.batches.append(index.tolist())
            return torch.nn.functional.mse_loss(self.net(x), y)

        def configure_optimizers(self):
            opt = torch.optim.SGD(self.parameters(), lr=1.0, momentum=0.9)
            opt.register_step_pre_hook(
                lambda o, a, k: self.used.append((o.param_groups[0]["lr"], o.param_groups[0]["momentum"]))
            )
            sched = ParamScheduler(opt, lr=LR, momentum=MOMENTUM)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

        def train_dataloader(self):
            dataset = Indexed()
            inner = DistributedSampler(dataset, num_replicas=1, rank=0, seed=1)
            batches = ScheduledBatchSampler(inner, BS)
            # the loop's own step counter is the position (a loader with workers runs ahead)
            batches.load_state_dict({"step": self.trainer.global_step})
            return DataLoader(dataset, batch_sampler=batches)

    module = Module()
    trainer = pl.Trainer(
        max_steps=max_steps,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        default_root_dir=tmp_path,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no validation loop, few workers, ...
        trainer.fit(module, ckpt_path=ckpt_path)
    return trainer, module


def test_lightning_fit_and_resume(tmp_path):
    trainer, full = _lightning_run(tmp_path / "full", 15)
    assert full.used == [(LR(k), MOMENTUM(k)) for k in range(15)]
    plan = sa.batch_plan(BS, 20)
    sizes = [int(s) for e in range(4) for s in plan.sizes(e)]
    assert [len(b) for b in full.batches] == sizes[:15]
    scheduler = trainer.lr_scheduler_configs[0].scheduler
    assert isinstance(scheduler, ParamScheduler) and scheduler.state_dict()["step"] == 15

    trainer, first = _lightning_run(tmp_path / "a", 4)  # mid-epoch 0 (6 batches)
    path = tmp_path / "a.ckpt"
    trainer.save_checkpoint(path)
    ckpt = torch.load(path, weights_only=True)
    assert ckpt["lr_schedulers"] == [{"step": 4, "plateau": None}]
    _, second = _lightning_run(tmp_path / "b", 15, ckpt_path=path)
    assert first.used + second.used == full.used
    assert first.batches + second.batches == full.batches
    for a, b in zip(full.net.parameters(), second.net.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


# -- Hugging Face Trainer ------------------------------------------------------------------
class _Regressor(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = tiny_model()

    def forward(self, x, labels=None):
        out = self.net(x)
        return {"loss": torch.nn.functional.mse_loss(out, labels), "logits": out}


class _Pairs(torch.utils.data.Dataset):
    def __init__(self, n=16):
        g = torch.Generator().manual_seed(3)
        self.x = torch.randn(n, 3, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "labels": self.x[i].sum(0, keepdim=True)}


def _hf_run(tmp_path, max_steps, resume=None):
    transformers = pytest.importorskip("transformers")
    # transformers' Trainer needs accelerate (a torch dependant, so in the test extra)
    pytest.importorskip("accelerate", reason="transformers.Trainer needs accelerate")
    model = _Regressor()
    opt = torch.optim.AdamW(model.parameters(), lr=1.0, betas=(0.9, 0.999))
    used = []
    opt.register_step_pre_hook(lambda o, a, k: used.append((o.param_groups[0]["lr"], o.param_groups[0]["betas"])))
    b1 = sa.linear(0.85, 0.95, 8)
    sched = ParamScheduler(opt, lr=LR, betas=(b1, None))
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path),
        max_steps=max_steps,
        per_device_train_batch_size=4,
        save_strategy="steps",
        save_steps=3,
        report_to=[],
        use_cpu=True,
        logging_strategy="no",
        disable_tqdm=True,
        seed=0,
        data_seed=0,
        dataloader_num_workers=0,
    )
    trainer = transformers.Trainer(model=model, args=args, train_dataset=_Pairs(), optimizers=(opt, sched))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.train(resume_from_checkpoint=resume)
    return used, model, b1


def test_hugging_face_trainer_and_checkpoint_resume(tmp_path):
    used, full, b1 = _hf_run(tmp_path / "full", 7)
    assert used == [(LR(k), (b1(k), 0.999)) for k in range(7)]
    first, _, _ = _hf_run(tmp_path / "run", 3)
    checkpoint = tmp_path / "run" / "checkpoint-3"
    assert torch.load(checkpoint / "scheduler.pt", weights_only=True) == {"step": 3, "plateau": None}
    second, resumed, _ = _hf_run(tmp_path / "run", 7, resume=str(checkpoint))
    assert first + second == used
    for a, b in zip(full.parameters(), resumed.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


# -- torch.compile -----------------------------------------------------------------------------
def _compiled_graphs(update):
    """Unique dynamo graphs after 12 compiled optimizer steps with tensor lr/betas changed by ``update``."""
    import torch._dynamo
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    model = tiny_model()
    opt = torch.optim.Adam(model.parameters(), lr=torch.tensor(0.01), betas=(torch.tensor(0.9), torch.tensor(0.999)))
    x = torch.randn(8, 3)
    y = x.sum(1, keepdim=True)
    step_update = update(opt)

    @torch.compile(backend="eager")
    def train_step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    graphs = []
    used = []
    for k in range(12):
        train_step()
        used.append((opt.param_groups[0]["lr"].item(), opt.param_groups[0]["betas"][0].item()))
        step_update()
        graphs.append(counters["stats"]["unique_graphs"])
    return graphs, used


def test_compiled_training_step_does_not_recompile():
    b1 = sa.linear(0.8, 0.9, 10)

    def with_scheduler(opt):
        return ParamScheduler(opt, lr=LR, betas=(b1, None)).step

    def by_hand(opt):
        k = [0]

        def update():
            opt.param_groups[0]["lr"].fill_(LR(k[0]))
            opt.param_groups[0]["betas"][0].fill_(b1(k[0]))
            k[0] += 1

        update()
        return update

    ours, used = _compiled_graphs(with_scheduler)
    hand, hand_used = _compiled_graphs(by_hand)
    assert ours[-1] == ours[0] > 0  # no recompile as the values change
    assert ours == hand
    assert used == hand_used
    assert used == [(float(torch.tensor(LR(k))), float(torch.tensor(b1(k)))) for k in range(12)]


# -- DDP --------------------------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank, world_size, port, out):
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size)
    try:
        torch.set_num_threads(1)
        model = torch.nn.parallel.DistributedDataParallel(tiny_model())
        opt = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
        sched = ParamScheduler(opt, lr=LR, momentum=MOMENTUM)
        dataset = Indexed(21)  # padded to 22 by DistributedSampler: 11 per rank
        bs = sa.quantize(sa.linear(2, 8, 10), multiple=2)
        batches = ScheduledBatchSampler(DistributedSampler(dataset, seed=4), bs, world_size=world_size)
        loader = DataLoader(dataset, batch_sampler=batches)
        counts, sizes, lrs, seen = [], [], [], []
        for _ in range(3):
            n = 0
            for index, x, y in loader:
                seen.extend(index.tolist())
                sizes.append(len(index))
                lrs.append(opt.param_groups[0]["lr"])
                opt.zero_grad()
                torch.nn.functional.mse_loss(model(x), y).backward()
                opt.step()
                sched.step()
                n += 1
            counts.append(n)
        torch.save(
            {
                "counts": counts,
                "sizes": sizes,
                "lrs": lrs,
                "seen": seen,
                "weights": [p.detach().clone() for p in model.parameters()],
            },
            out / f"rank{rank}.pt",
        )
    finally:
        dist.destroy_process_group()


def test_ddp_ranks_stay_in_lockstep(tmp_path):
    import torch.multiprocessing as mp

    mp.spawn(_ddp_worker, args=(2, _free_port(), tmp_path), nprocs=2, join=True)
    r0, r1 = (torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(2))
    plan = sa.batch_plan(sa.quantize(sa.linear(2, 8, 10), multiple=2), 22, world_size=2)
    assert r0["counts"] == r1["counts"] == [plan.num_batches(e) for e in range(3)]
    assert r0["sizes"] == r1["sizes"] == [int(s) for e in range(3) for s in plan.replica_sizes(e)]
    assert r0["lrs"] == r1["lrs"] == [LR(k) for k in range(len(r0["lrs"]))]
    for a, b in zip(r0["weights"], r1["weights"]):
        assert torch.equal(a, b)
    first_epoch = plan.num_batches(0)
    shard0 = r0["seen"][: sum(r0["sizes"][:first_epoch])]
    shard1 = r1["seen"][: sum(r1["sizes"][:first_epoch])]
    assert set(shard0) | set(shard1) == set(range(21))


# -- CUDA (skipped without a GPU) ---------------------------------------------------------------
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@cuda
@pytest.mark.parametrize("flavour", ["fused", "capturable"])
def test_cuda_adam_with_tensor_lr(flavour):
    model = tiny_model().cuda()
    lr = torch.tensor(0.01, device="cuda")
    opt = torch.optim.Adam(model.parameters(), lr=lr, **{flavour: True})
    sched = ParamScheduler(opt, lr=LR, betas=(sa.linear(0.8, 0.9, 10), None))
    hand = tiny_model().cuda()
    opt2 = torch.optim.Adam(hand.parameters(), lr=torch.tensor(0.01, device="cuda"), **{flavour: True})
    x = torch.randn(16, 3, device="cuda")
    y = x.sum(1, keepdim=True)
    for k in range(10):
        for m, o in ((model, opt), (hand, opt2)):
            o.zero_grad()
            torch.nn.functional.mse_loss(m(x), y).backward()
        opt2.param_groups[0]["lr"].fill_(LR(k))
        opt2.param_groups[0]["betas"] = (sa.linear(0.8, 0.9, 10)(k), 0.999)
        opt.step()
        opt2.step()
        sched.step()
    assert opt.param_groups[0]["lr"] is lr and lr.device.type == "cuda"
    for a, b in zip(model.parameters(), hand.parameters()):
        torch.testing.assert_close(a, b)


@cuda
def test_cuda_graph_replay_sees_the_scheduled_lr():
    x = torch.randn(16, 3, device="cuda")
    y = x.sum(1, keepdim=True)

    def build():
        model = tiny_model().cuda()
        lr = torch.tensor(LR(0), device="cuda")
        return model, torch.optim.Adam(model.parameters(), lr=lr, capturable=True), lr

    def train_step(model, opt):
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    # captured: forward, backward and the optimizer step in one CUDA graph (torch's recipe)
    model, opt, lr = build()
    sched = ParamScheduler(opt, lr=LR)
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):  # warm-up at LR(0), outside the graph
            opt.zero_grad(set_to_none=True)
            train_step(model, opt)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        static_loss = train_step(model, opt)
    for _ in range(8):
        graph.replay()  # reads the lr tensor that sched.step() filled
        sched.step()
    torch.cuda.synchronize()

    # eager reference: the same steps with the lr set by hand
    ref, ref_opt, ref_lr = build()
    for k in [0, 0, 0, *range(8)]:
        ref_lr.fill_(LR(k))
        ref_opt.zero_grad(set_to_none=True)
        train_step(ref, ref_opt)
    assert opt.param_groups[0]["lr"] is lr and lr.item() == pytest.approx(LR(8))
    assert torch.isfinite(static_loss).item()
    for a, b in zip(model.parameters(), ref.parameters()):
        torch.testing.assert_close(a, b)


@cuda
def test_cuda_compiled_step_graph_count():
    import torch._dynamo
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    model = tiny_model().cuda()
    opt = torch.optim.Adam(model.parameters(), lr=torch.tensor(0.01, device="cuda"), capturable=True)
    sched = ParamScheduler(opt, lr=LR, betas=(sa.linear(0.8, 0.9, 10), None))
    x = torch.randn(16, 3, device="cuda")
    y = x.sum(1, keepdim=True)

    @torch.compile
    def train_step():
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()

    counts = []
    for _ in range(12):
        train_step()
        sched.step()
        counts.append(counters["stats"]["unique_graphs"])
    assert counts[-1] == counts[0]
