package io.multizone.yarn.liveness;

/**
 * One DataNode as the NameNode reports it: names, transfer port, last contact and whether an
 * administrator is taking or took it out of service (decommissioning, decommissioned,
 * entering or in maintenance).
 */
public final class DataNodeStatus {
  private final String hostName;
  private final String ipAddr;
  private final int xferPort;
  private final long lastContactMs;
  private final boolean outOfService;

  /**
   * @param hostName host name the DataNode registered with
   * @param ipAddr its IP address
   * @param xferPort its data transfer port
   * @param lastContactMs wall-clock time of its last heartbeat at the NameNode
   * @param outOfService decommissioning, decommissioned, entering or in maintenance
   */
  public DataNodeStatus(String hostName, String ipAddr, int xferPort, long lastContactMs,
      boolean outOfService) {
    this.hostName = hostName;
    this.ipAddr = ipAddr;
    this.xferPort = xferPort;
    this.lastContactMs = lastContactMs;
    this.outOfService = outOfService;
  }

  /** @return registered host name */
  public String getHostName() {
    return hostName;
  }

  /** @return IP address */
  public String getIpAddr() {
    return ipAddr;
  }

  /** @return data transfer port */
  public int getXferPort() {
    return xferPort;
  }

  /** @return wall-clock ms of the last heartbeat */
  public long getLastContactMs() {
    return lastContactMs;
  }

  /** @return whether decommissioning, decommissioned, entering or in maintenance */
  public boolean isOutOfService() {
    return outOfService;
  }

  /** @return stable identity {@code ip:xferPort} */
  public String getId() {
    return ipAddr + ":" + xferPort;
  }

  @Override
  public String toString() {
    return hostName + "/" + getId();
  }
}
