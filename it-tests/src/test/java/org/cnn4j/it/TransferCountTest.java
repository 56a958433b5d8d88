package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.TransferStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data stays on the device: ops between device tensors make no host transfer, and {@code fromArray},
 * {@code copyFrom(float[])}, {@code toArray} and {@code item} make exactly one each, of the right size.
 */
class TransferCountTest {

    /** The four counters at one moment. */
    record Snapshot(long h2d, long h2dBytes, long d2h, long d2hBytes) {
        static Snapshot of(TransferStats s) {
            return new Snapshot(s.hostToDeviceTransfers(), s.hostToDeviceBytes(), s.deviceToHostTransfers(),
                    s.deviceToHostBytes());
        }

        Snapshot minus(Snapshot o) {
            return new Snapshot(h2d - o.h2d, h2dBytes - o.h2dBytes, d2h - o.d2h, d2hBytes - o.d2hBytes);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void opsBetweenDeviceTensorsMakeNoHostTransfer(Device device) {
        TransferStats stats = device.transfers();
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(new float[1025], 5, 205);
            Snapshot before = Snapshot.of(stats);
            Generator g = new Generator(4);
            Tensor y = x.add(device.uniform(g, -1f, 1f, 5, 205)).mul(2f).rsub(1f).sigmoid().maximum(x).clampMin(0f);
            Tensor w = device.normal(g, 0f, 1f, 205, 3);
            Tensor z = y.matmul(w).add(device.ones(3)).tanh();
            z.sum();
            z.mean(0, true);
            z.max(1, false);
            z.argmax(1, false);
            y.transpose(0, 1).permute(1, 0).reshape(-1).narrow(7, 100).unsqueeze(0).squeeze(0).copy();
            y.matmul(y, false, true);
            device.bernoulli(g, 0.5f, 17).fill(3f).copyFrom(device.zeros(17));
            device.full(2f, 4).pow(device.scalar(3f)).div(device.scalar(2f)).exp().log().sqrt().reciprocal().abs().neg();
            device.synchronize();
            assertEquals(new Snapshot(0, 0, 0, 0), Snapshot.of(stats).minus(before),
                    "host transfers made by device-only ops on " + device.spec());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void eachHostCopyCountsExactlyOnce(Device device) {
        TransferStats stats = device.transfers();
        try (Scope scope = Scope.open()) {
            Snapshot s0 = Snapshot.of(stats);
            Tensor x = device.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertEquals(new Snapshot(1, 24, 0, 0), Snapshot.of(stats).minus(s0), "fromArray of 6 floats on " + device.spec());

            Snapshot s1 = Snapshot.of(stats);
            x.copyFrom(new float[] {6, 5, 4, 3, 2, 1});
            assertEquals(new Snapshot(1, 24, 0, 0), Snapshot.of(stats).minus(s1), "copyFrom(float[6]) on " + device.spec());

            Snapshot s2 = Snapshot.of(stats);
            x.toArray();
            assertEquals(new Snapshot(0, 0, 1, 24), Snapshot.of(stats).minus(s2), "toArray of 6 floats on " + device.spec());

            Tensor s = x.sum();
            Snapshot s3 = Snapshot.of(stats);
            assertEquals(21f, s.item(), "sum on " + device.spec());
            assertEquals(new Snapshot(0, 0, 1, 4), Snapshot.of(stats).minus(s3), "item on " + device.spec());

            Tensor v = x.narrow(1, 1);
            Snapshot s4 = Snapshot.of(stats);
            v.toArray();
            v.copyFrom(new float[] {9, 9, 9});
            assertEquals(new Snapshot(1, 12, 1, 12), Snapshot.of(stats).minus(s4),
                    "toArray and copyFrom of a 3-element view on " + device.spec());

            Snapshot s5 = Snapshot.of(stats);
            Tensor big = device.fromArray(new float[100003], 100003);
            big.toArray();
            assertEquals(new Snapshot(1, 400012, 1, 400012), Snapshot.of(stats).minus(s5),
                    "one transfer each way for 100003 floats on " + device.spec());
        }
    }
}
