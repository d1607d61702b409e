/**
 * virtsup's configuration model: the Guix-syntax reader, the typed records of
 * {@code libvirt-configuration}, {@code virtlog-configuration} and
 * {@code supervisor-configuration}, their validation and the renderers of
 * {@code libvirtd.conf} and {@code virtlogd.conf}. Pure: it writes no file and
 * starts no process.
 */
package org.virtsup.config;
