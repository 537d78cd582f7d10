/**
 * The lab's report: reads the orchestrator's {@code results.json} and renders it as
 * {@code report.md}, a self-contained {@code report.html} with one SVG timeline per scenario,
 * and a plain-text side-by-side summary for the terminal. Entry point: {@link
 * io.multizone.lab.report.LabReport}.
 */
package io.multizone.lab.report;
