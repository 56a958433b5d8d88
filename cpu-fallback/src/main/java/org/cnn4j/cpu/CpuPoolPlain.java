package org.cnn4j.cpu;

import java.util.Arrays;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * The plain-Java max-pooling loops of {@link CpuPool}, for any window size and stride: the reference the Vector API
 * kernel ({@code CpuPoolVector}) is tested against, and what runs on a JVM without the module.
 */
final class CpuPoolPlain implements CpuPool.Kernel {
    @Override
    public String name() {
        return "plain";
    }

    /**
     * The max-pool forward of one plane when {@link CpuPool#windowsInside2d} holds: the same result as the general
     * path (first maximum in (h, w) order, the first NaN wins), without clipping each window, and without
     * a branch on the data: each value is compared through its {@link CpuPool#orderKey}, and the index of the
     * winner is selected with integer max / compare, which the JIT turns into conditional moves (pooling
     * inputs are random, so a branch per comparison is mispredicted about half the time).
     */
    @Override
    public void maxPlane2d(PoolGeometry g, float[] xs, int xb, float[] ys, int yb, float[] as, int ab) {
        int w = g.inWidth();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int oW = g.outWidth();
        int o = 0;
        for (int oh = 0; oh < g.outHeight(); oh++) {
            int top = oh * g.strideH() * w;
            for (int ow = 0; ow < oW; ow++, o++) {
                int first = top + ow * g.strideW();
                int bestKey = Integer.MIN_VALUE;
                int bestIndex = first;
                for (int dh = 0; dh < kh; dh++) {
                    int row = first + dh * w;
                    for (int i = row; i < row + kw; i++) {
                        int key = CpuPool.orderKey(xs[xb + i]);
                        int better = (int) (((long) bestKey - key) >>> 63); // 1 iff key > bestKey
                        bestIndex += (i - bestIndex) * better;
                        bestKey = Math.max(bestKey, key);
                    }
                }
                ys[yb + o] = xs[xb + bestIndex];
                as[ab + o] = bestIndex;
            }
        }
    }

    /** Zeroes the plane, then adds each output's gradient at its arg-max, in output order. */
    @Override
    public void maxBackwardPlane(PoolGeometry g, float[] dy, int yb, float[] argmax, int ab, float[] dx, int xb) {
        int inPlane = g.inDepth() * g.inHeight() * g.inWidth();
        int outPlane = g.outDepth() * g.outHeight() * g.outWidth();
        Arrays.fill(dx, xb, xb + inPlane, 0f);
        for (int o = 0; o < outPlane; o++) {
            int i = (int) argmax[ab + o];
            if (i >= 0 && i < inPlane) {
                dx[xb + i] += dy[yb + o];
            }
        }
    }
}
