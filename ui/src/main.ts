import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import './fonts.css';
import { AppState } from './lib/app.svelte';
import { tauriBackend } from './lib/tauri-backend';

const target = document.getElementById('app');
if (!target) {
  throw new Error('missing #app element');
}

const app = new AppState(tauriBackend, navigator.languages, window.localStorage);

export default mount(App, { target, props: { app } });
