package io.multizone.yarn;

import org.apache.hadoop.util.VersionInfo;

/**
 * Which Hadoop line the tests run against, for the one difference the YARN module meets.
 *
 * <p>Hadoop 3.3.x has no cluster-wide AppPlacementAllocator key
 * ({@value ZonePlacementYarnConfig#YARN_APP_PLACEMENT_ALLOCATOR_KEY} arrived in 3.4,
 * YARN-11026): its {@code AppSchedulingInfo} takes the allocator class only from the
 * application's scheduling environment, {@value #ENV_APPLICATION_PLACEMENT_TYPE_CLASS}, which
 * {@code RMAppImpl} fills from the AM container's environment and the submission context's
 * scheduling properties. On 3.3 the tests therefore select the allocator per application,
 * the way an operator or a job does on 3.3.
 */
public final class HadoopLine {
  /** YARN's per-application key ({@code ApplicationSchedulingConfig}, Hadoop 3.1+). */
  public static final String ENV_APPLICATION_PLACEMENT_TYPE_CLASS =
      "APPLICATION_PLACEMENT_TYPE_CLASS";

  private HadoopLine() {
  }

  /** @return true when the Hadoop on the classpath is 3.3.x (no cluster-wide allocator key) */
  public static boolean perApplicationAllocatorOnly() {
    return VersionInfo.getVersion().startsWith("3.3.");
  }
}
