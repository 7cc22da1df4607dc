/**
 * A problem in a configuration file, pinned to the file and the JSON path of the field, so
 * the operator can go straight to it: "sessions/x.json: backupHosts[1].port: must be ...".
 */
export class ConfigError extends Error {
  constructor (
    /** the file as it was named to the loader (or the folder, for folder-level problems) */
    public readonly file: string,
    /** JSON path such as `heartBtInt` or `backupHosts[1].port`; '' for the whole file */
    public readonly field: string,
    /** what is wrong, phrased for a human */
    public readonly problem: string
  ) {
    super(`${file}: ${field}: ${problem}`)
    this.name = 'ConfigError'
  }
}
