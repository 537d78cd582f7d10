package io.multizone.lab.load;

import java.util.Random;

/**
 * The bytes of the lab's files: a function of (seed, file number) only, so the verifier
 * regenerates what the writer wrote without keeping a copy, and the stock and our run write
 * the same data.
 */
public final class FileContent {
  private FileContent() {
  }

  /** @return the content of file {@code n}: {@code size} bytes from a generator seeded by both */
  public static byte[] of(long seed, long n, int size) {
    byte[] data = new byte[size];
    new Random(seed * 1_000_003L + n).nextBytes(data);
    return data;
  }

  /** @return the size of file {@code n}: between {@code min} and {@code max} bytes */
  public static int sizeOf(long seed, long n, int min, int max) {
    if (max <= min) {
      return min;
    }
    return min + new Random(seed * 7_919L + n).nextInt(max - min + 1);
  }
}
