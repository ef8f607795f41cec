/** The tool version, recorded in every manifest and report. Keep in step with package.json. */
export const VERSION = '0.1.0';
