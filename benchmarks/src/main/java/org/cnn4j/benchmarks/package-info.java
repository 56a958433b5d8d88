/**
 * Benchmarks of cnn4j: JMH benchmarks of the convolution, SGEMM, pooling, batch-norm and dropout
 * operations and of the reference CNN ({@code java -jar benchmarks/target/benchmarks.jar}), and
 * {@link org.cnn4j.benchmarks.SideBySide}, the program that {@code benchmarks/compare.sh} alternates with
 * the PyTorch twin {@code benchmarks/python/bench_torch.py}. Both time the same {@link org.cnn4j.benchmarks.Workload}s.
 */
package org.cnn4j.benchmarks;
