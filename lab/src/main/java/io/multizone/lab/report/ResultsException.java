package io.multizone.lab.report;

/**
 * A results file that cannot be read or does not have the shape {@link ResultsReader}
 * expects. The message is complete and meant for the operator as is: it names the file and,
 * for a shape error, the JSON path of the offending field (e.g. {@code scenarios[1].runs}).
 */
public final class ResultsException extends Exception {
  private static final long serialVersionUID = 1L;

  public ResultsException(String message) {
    super(message);
  }

  public ResultsException(String message, Throwable cause) {
    super(message, cause);
  }
}
