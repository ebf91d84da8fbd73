"""schedalg.keras.LearningRateSchedule: Keras 3 (JAX backend, set by the root conftest) follows s."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import schedalg as sa

keras = pytest.importorskip("keras")

from schedalg.keras import LearningRateSchedule  # noqa: E402

SCHEDULE = sa.cosine(0.1, 0.01, 6).warmup(2)


def test_the_backend_is_jax():
    assert os.environ["KERAS_BACKEND"] == "jax" and keras.backend.backend() == "jax"


def test_config_round_trip_through_to_dict():
    lr = LearningRateSchedule(SCHEDULE)
    config = lr.get_config()
    assert config == {"schedule": sa.to_dict(SCHEDULE)}
    json.dumps(config)
    assert LearningRateSchedule.from_config(config).schedule == SCHEDULE
    again = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(lr))
    assert isinstance(again, LearningRateSchedule) and again.schedule == SCHEDULE
    opt = keras.optimizers.Adam(learning_rate=lr)
    restored = keras.optimizers.Adam.from_config(opt.get_config())
    assert restored.learning_rate is not None and restored._learning_rate.schedule == SCHEDULE


def test_model_fit_follows_the_schedule():
    # loss = y_pred = w . x with x = 1: every SGD update subtracts exactly the lr in force.
    n = 10
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LearningRateSchedule(SCHEDULE)), loss=lambda y, p: p)
    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            opt = self.model.optimizer
            seen.append((int(opt.iterations), float(opt.learning_rate)))

    x = np.ones((n, 1), dtype="float32")
    model.fit(x, x, batch_size=1, epochs=1, shuffle=False, verbose=0, callbacks=[Record()])
    expected = [SCHEDULE(k) for k in range(n)]
    assert [k for k, _ in seen] == list(range(n))
    np.testing.assert_allclose([v for _, v in seen], expected, rtol=2e-6)
    w = float(model.layers[0].kernel.numpy()[0, 0])
    assert w == pytest.approx(-sum(np.float32(expected)), rel=1e-5)


def test_a_python_step_and_bad_arguments():
    lr = LearningRateSchedule(SCHEDULE)
    assert lr(3) == SCHEDULE(3)
    assert "cosine" in repr(lr)
    with pytest.raises(TypeError, match="schedule must be a Schedule"):
        LearningRateSchedule(0.1)
