/** The lab's client tools: they run inside the lab's cluster, on its Hadoop layout. */
package io.multizone.lab;
