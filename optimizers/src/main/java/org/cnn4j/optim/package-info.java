/**
 * Optimizers of cnn4j, as PyTorch 1.13's {@code torch.optim}: {@link org.cnn4j.optim.SGD} (momentum,
 * Nesterov), {@link org.cnn4j.optim.Adagrad}, {@link org.cnn4j.optim.RMSprop},
 * {@link org.cnn4j.optim.Adam} (AMSGrad), {@link org.cnn4j.optim.AdamW}; per-group options
 * ({@link org.cnn4j.optim.ParamGroup}); gradient clipping ({@link org.cnn4j.optim.GradClip}); and
 * learning-rate schedules ({@link org.cnn4j.optim.LrScheduler}, {@link org.cnn4j.optim.ReduceLROnPlateau}).
 * Updates run as fused kernels where the parameters live; only the runtime is used, never the layers.
 */
package org.cnn4j.optim;
