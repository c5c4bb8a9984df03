/**
 * The programs the e2e layer takes from the operating system rather than from npm (real browsers,
 * a real TURN server, the tools for impaired networks), and the one command that installs them on
 * Debian or Ubuntu: what every "SKIPPED" banner tells a newcomer, and what .ci/run installs.
 */
export const SYSTEM_PACKAGES = ["chromium", "firefox-esr", "coturn", "iproute2", "python3"] as const;

/** On Ubuntu, chromium and firefox-esr come from Debian-style packages or a PPA; CHROMIUM_PATH/FIREFOX_PATH take any other build. */
export const INSTALL_SYSTEM_PACKAGES = `sudo apt-get install ${SYSTEM_PACKAGES.join(" ")}`;

/** The banner line that says how to stop skipping. */
export const INSTALL_HINT = `Install everything the e2e tests use (Debian/Ubuntu): ${INSTALL_SYSTEM_PACKAGES}`;
