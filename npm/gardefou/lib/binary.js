'use strict';
// Where the gardefou binary of this platform is: in the per-platform package that npm
// selected through optionalDependencies (os, cpu and libc fields), as esbuild and Biome do.

const path = require('path');

const PLATFORMS = {
  'linux x64 glibc': '@gardefou/linux-x64-gnu',
  'linux x64 musl': '@gardefou/linux-x64-musl',
  'linux arm64 glibc': '@gardefou/linux-arm64-gnu',
  'linux arm64 musl': '@gardefou/linux-arm64-musl',
  'darwin x64': '@gardefou/darwin-x64',
  'darwin arm64': '@gardefou/darwin-arm64',
  'win32 x64': '@gardefou/win32-x64',
};

function libc() {
  // Cheap: musl's dynamic loader is a file named ld-musl-<arch>.so.1 in /lib; a full
  // diagnostic report (process.report) would cost milliseconds.
  if (process.platform !== 'linux') return '';
  try {
    return require('fs').readdirSync('/lib').some((f) => f.startsWith('ld-musl-')) ? ' musl' : ' glibc';
  } catch {
    return ' glibc';
  }
}

/** The platform package's name for this process, or null when none is built for it. */
function platformPackage() {
  return PLATFORMS[`${process.platform} ${process.arch}${libc()}`] || null;
}

/** The absolute path of the binary; throws with a message naming what is missing. */
function binaryPath() {
  const pkg = platformPackage();
  if (!pkg) {
    throw new Error(
      `gardefou: no binary is built for ${process.platform} ${process.arch}${libc()}; ` +
        'build it from the repository (cargo install --locked --path .) and run it directly',
    );
  }
  const exe = process.platform === 'win32' ? 'gardefou.exe' : 'gardefou';
  // The musl build is static: it also runs on a glibc system whose npm installed it.
  const candidates = [pkg];
  if (pkg.endsWith('-gnu')) candidates.push(pkg.replace(/-gnu$/, '-musl'));
  for (const name of candidates) {
    try {
      return require.resolve(`${name}/bin/${exe}`);
    } catch {
      // next candidate
    }
  }
  throw new Error(
    `gardefou: the package ${pkg} is not installed; reinstall without --no-optional ` +
      '(npm install gardefou) so that npm adds the binary for this platform',
  );
}

module.exports = { binaryPath, platformPackage, PLATFORMS };
