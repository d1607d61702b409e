/**
 * The container suite: virtsup's own image (packaging/container/Containerfile
 * with the .deb the packaging module builds) run the way users run it, with
 * virtsup as PID 1 from the image's ENTRYPOINT, one container per scenario;
 * and the Debian package installed on the plain base image.
 *
 * <p>{@link org.virtsup.it.container.VirtsupImage} builds the image once per
 * test run and removes it at the end; {@link org.virtsup.it.container.Scenarios}
 * starts each scenario's containers, prints their logs when the scenario fails,
 * records its duration and removes them.
 */
package org.virtsup.it.container;
