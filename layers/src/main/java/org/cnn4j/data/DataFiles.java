package org.cnn4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** File helpers shared by the readers: gzip detection and reads that allocate only what arrives. */
final class DataFiles {
    private DataFiles() {
    }

    /** Reads up to {@code limit} bytes, growing the buffer only as data actually arrives. */
    static byte[] readBounded(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 1 << 16));
        byte[] chunk = new byte[1 << 16];
        int total = 0;
        while (total < limit) {
            int n = in.read(chunk, 0, Math.min(chunk.length, limit - total));
            if (n < 0) {
                break;
            }
            out.write(chunk, 0, n);
            total += n;
        }
        return out.toByteArray();
    }

    /** True when the file starts with the gzip magic bytes {@code 1f 8b} (the name does not matter). */
    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}
