import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import './fonts.css';
import { AppState } from './lib/app.svelte';
import { recordErrors } from './lib/errors';
import { tauriBackend } from './lib/tauri-backend';

const target = document.getElementById('app');
if (!target) {
  throw new Error('missing #app element');
}

recordErrors(window);
const app = new AppState(tauriBackend, navigator.languages, window.localStorage);

export default mount(App, { target, props: { app } });
