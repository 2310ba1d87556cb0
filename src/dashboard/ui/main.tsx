/** The dashboard page's entry: one store, one app. */
import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './app.js';
import { DashboardStore } from './store.js';

const store = new DashboardStore();
render(<App store={store} />, document.getElementById('app')!);
void store.load();
