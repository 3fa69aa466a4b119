/** The name of trainlint's check run on a commit (what a required status check names). */
export const CHECK_NAME = 'trainlint';
