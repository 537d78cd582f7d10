package io.multizone.yarn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Files that test JVMs of another test class may be reading at the same time: surefire runs
 * two test classes at once (forkCount=2), and the topology table and hosts file sit at fixed
 * paths every RM and task JVM reads.
 */
public final class SharedTestFiles {

  private SharedTestFiles() {
  }

  /**
   * Left alone when the file already holds these bytes, else replaced in one rename, so a
   * reader sees the old file or the new one, never a truncated one.
   */
  public static void write(Path file, byte[] bytes) throws IOException {
    if (Files.exists(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
      return;
    }
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
